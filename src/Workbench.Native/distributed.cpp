// torch.distributed: c10d stores (TCPStore, FileStore, PrefixStore) and the Gloo process group, the engine
// PyTorch itself uses. Rendezvous (init_method parsing, the default group's key prefixes, the store-based
// barrier) lives in C#; here are only the c10d objects and one function per collective.
#define USE_C10D_GLOO 1
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstring>
#include <sstream>
#include <string>

#include "wb_common.h"

namespace {
using StorePtr = c10::intrusive_ptr<c10d::Store>;
using GroupPtr = c10::intrusive_ptr<c10d::ProcessGroupGloo>;

std::chrono::milliseconds ms(int64_t v) { return std::chrono::milliseconds(v); }

// Every collective blocks until its work finishes. Gloo enforces the group's timeout on each operation
// (a dead or silent peer raises there), and the wait is bounded by it too, so no call can hang.
void run(GroupPtr& pg, const c10::intrusive_ptr<c10d::Work>& work) { work->wait(pg->getOptions()->timeout); }
}  // namespace

typedef StorePtr* Store;
typedef GroupPtr* Group;

// ---- stores ------------------------------------------------------------------------------------

WB_API Store wb_tcp_store_new(const char* host, int port, int world_size, int is_master, int64_t timeout_ms, int wait_for_workers,
                              int multi_tenant) {
  try {
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(port);
    opts.isServer = is_master != 0;
    if (world_size > 0) opts.numWorkers = static_cast<std::size_t>(world_size);
    opts.waitWorkers = wait_for_workers != 0;
    opts.timeout = ms(timeout_ms);
    opts.multiTenant = multi_tenant != 0;
    return new StorePtr(c10::make_intrusive<c10d::TCPStore>(std::string(host), opts));
  }
  WB_CATCH(nullptr)
}
// The port a TCPStore listens on (the real one when created with port 0).
WB_API int wb_tcp_store_port(Store s) {
  auto* tcp = dynamic_cast<c10d::TCPStore*>(s->get());
  return tcp ? tcp->getPort() : -1;
}
WB_API Store wb_file_store_new(const char* path, int world_size) {
  try { return new StorePtr(c10::make_intrusive<c10d::FileStore>(std::string(path), world_size)); }
  WB_CATCH(nullptr)
}
WB_API Store wb_prefix_store_new(const char* prefix, Store inner) {
  try { return new StorePtr(c10::make_intrusive<c10d::PrefixStore>(std::string(prefix), *inner)); }
  WB_CATCH(nullptr)
}
WB_API void wb_store_free(Store s) { delete s; }

WB_API int wb_store_set(Store s, const char* key, const uint8_t* value, int64_t length) {
  WB_STATUS((*s)->set(std::string(key), std::vector<uint8_t>(value, value + length)))
}
// Waits (up to the store's timeout) for the key; returns its value as a malloc'd buffer (freed by wb_free).
WB_API uint8_t* wb_store_get(Store s, const char* key, int64_t* length) {
  try {
    auto v = (*s)->get(std::string(key));
    *length = static_cast<int64_t>(v.size());
    auto* out = static_cast<uint8_t*>(std::malloc(v.empty() ? 1 : v.size()));
    if (!v.empty()) std::memcpy(out, v.data(), v.size());
    return out;
  }
  WB_CATCH(nullptr)
}
WB_API int wb_store_add(Store s, const char* key, int64_t value, int64_t* result) { WB_STATUS(*result = (*s)->add(std::string(key), value)) }
WB_API int wb_store_check(Store s, const char* key, int* result) { WB_STATUS(*result = (*s)->check({std::string(key)}) ? 1 : 0) }
WB_API int wb_store_wait(Store s, const char* key, int64_t timeout_ms) { WB_STATUS((*s)->wait({std::string(key)}, ms(timeout_ms))) }
WB_API int wb_store_delete_key(Store s, const char* key, int* result) { WB_STATUS(*result = (*s)->deleteKey(std::string(key)) ? 1 : 0) }
WB_API int wb_store_set_timeout(Store s, int64_t timeout_ms) { WB_STATUS((*s)->setTimeout(ms(timeout_ms))) }
WB_API int64_t wb_store_get_timeout(Store s) { return (*s)->getTimeout().count(); }

// ---- the Gloo process group ----------------------------------------------------------------------

// Devices as PyTorch's ProcessGroupGloo(store, rank, size, timeout) picks them: one per interface in `interfaces`
// (GLOO_SOCKET_IFNAME, comma-separated, read by the caller), else the one for `hostname`, else the address the
// machine's hostname resolves to. Two threads per device, as PyTorch.
WB_API Group wb_process_group_gloo_new(Store store, int rank, int size, int64_t timeout_ms, const char* interfaces, const char* hostname) {
  try {
    auto options = c10d::ProcessGroupGloo::Options::create(ms(timeout_ms));
    if (interfaces && *interfaces) {
      std::stringstream list(interfaces);
      std::string name;
      while (std::getline(list, name, ','))
        if (!name.empty()) options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
    } else if (hostname && *hostname) {
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(hostname));
    } else {
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    options->threads = static_cast<int>(options->devices.size()) * 2;
    return new GroupPtr(c10::make_intrusive<c10d::ProcessGroupGloo>(*store, rank, size, options));
  }
  WB_CATCH(nullptr)
}
WB_API void wb_process_group_free(Group pg) { delete pg; }
WB_API int wb_process_group_rank(Group pg) { return (*pg)->getRank(); }
WB_API int wb_process_group_size(Group pg) { return (*pg)->getSize(); }
WB_API int64_t wb_process_group_timeout(Group pg) { return (*pg)->getOptions()->timeout.count(); }
// PyTorch calls this once after creating a group: rank 0 publishes a sequence number in the store, the others
// wait for it (so a PyTorch peer blocks until we do it too).
WB_API int wb_process_group_set_sequence_number(Group pg) { WB_STATUS((*pg)->setSequenceNumberForGroup()) }

// op: c10d::ReduceOp::RedOpType (SUM 0, PRODUCT 2, MIN 3, MAX 4, BAND 5, BOR 6, BXOR 7); Gloo has no AVG.
WB_API int wb_process_group_allreduce(Group pg, const Tensor* tensors, int n, int op) {
  try {
    auto ts = wb::tensors(tensors, n);
    c10d::AllreduceOptions opts;
    opts.reduceOp = c10d::ReduceOp(static_cast<c10d::ReduceOp::RedOpType>(op));
    opts.timeout = (*pg)->getOptions()->timeout;
    run(*pg, (*pg)->allreduce(ts, opts));
    return 0;
  }
  WB_CATCH(-1)
}
WB_API int wb_process_group_broadcast(Group pg, const Tensor* tensors, int n, int root) {
  try {
    auto ts = wb::tensors(tensors, n);
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    opts.rootTensor = 0;
    opts.timeout = (*pg)->getOptions()->timeout;
    run(*pg, (*pg)->broadcast(ts, opts));
    return 0;
  }
  WB_CATCH(-1)
}
// One tensor per call from C# (c10d's lists are one tensor per device). outputs: world-size tensors shaped like input, filled with every rank's input in rank order.
WB_API int wb_process_group_allgather(Group pg, const Tensor* outputs, int n, Tensor input) {
  try {
    std::vector<std::vector<at::Tensor>> out{wb::tensors(outputs, n)};
    std::vector<at::Tensor> in{*input};
    c10d::AllgatherOptions opts;
    opts.timeout = (*pg)->getOptions()->timeout;
    run(*pg, (*pg)->allgather(out, in, opts));
    return 0;
  }
  WB_CATCH(-1)
}
WB_API int wb_process_group_barrier(Group pg) {
  try {
    c10d::BarrierOptions opts;
    opts.timeout = (*pg)->getOptions()->timeout;
    run(*pg, (*pg)->barrier(opts));
    return 0;
  }
  WB_CATCH(-1)
}
