// Tensor lifetime, properties, creation, conversion and raw data in/out.
#include <cstring>

#include "wb_common.h"

WB_API void wb_tensor_free(Tensor t) { delete t; }

// ---- properties -------------------------------------------------------------------------
WB_API int wb_tensor_dim(Tensor t) { return static_cast<int>(t->dim()); }
WB_API void wb_tensor_sizes(Tensor t, int64_t* out) { std::memcpy(out, t->sizes().data(), sizeof(int64_t) * t->dim()); }
WB_API void wb_tensor_strides(Tensor t, int64_t* out) { std::memcpy(out, t->strides().data(), sizeof(int64_t) * t->dim()); }
WB_API int64_t wb_tensor_numel(Tensor t) { return t->numel(); }
WB_API int wb_tensor_dtype(Tensor t) { return static_cast<int>(t->scalar_type()); }
WB_API int wb_tensor_device_type(Tensor t) { return static_cast<int>(t->device().type()); }
WB_API int wb_tensor_device_index(Tensor t) { return t->device().index(); }
WB_API int wb_tensor_is_contiguous(Tensor t) { return t->is_contiguous(); }
WB_API int wb_tensor_defined(Tensor t) { return t->defined(); }
WB_API int64_t wb_tensor_element_size(Tensor t) { return static_cast<int64_t>(t->element_size()); }
WB_API int wb_tensor_storage_equal(Tensor a, Tensor b) { return a->is_same(*b) || (a->defined() && b->defined() && a->storage().is_alias_of(b->storage())); }

// ---- creation ---------------------------------------------------------------------------
#define WB_OPTS wb::options(dtype, device_type, device_index)
#define WB_OPT_PARAMS int dtype, int device_type, int device_index, int requires_grad

WB_API Tensor wb_empty(const int64_t* shape, int ndim, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::empty(wb::ints(shape, ndim), WB_OPTS), requires_grad)) }
WB_API Tensor wb_zeros(const int64_t* shape, int ndim, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::zeros(wb::ints(shape, ndim), WB_OPTS), requires_grad)) }
WB_API Tensor wb_ones(const int64_t* shape, int ndim, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::ones(wb::ints(shape, ndim), WB_OPTS), requires_grad)) }
WB_API Tensor wb_full(const int64_t* shape, int ndim, WbScalar value, WB_OPT_PARAMS) {
  WB_TENSOR(wb::with_grad(at::full(wb::ints(shape, ndim), wb::scalar(value), WB_OPTS), requires_grad))
}
WB_API Tensor wb_rand(const int64_t* shape, int ndim, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::rand(wb::ints(shape, ndim), WB_OPTS), requires_grad)) }
WB_API Tensor wb_randn(const int64_t* shape, int ndim, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::randn(wb::ints(shape, ndim), WB_OPTS), requires_grad)) }
WB_API Tensor wb_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, WB_OPT_PARAMS) {
  WB_TENSOR(wb::with_grad(at::randint(low, high, wb::ints(shape, ndim), WB_OPTS), requires_grad))
}
WB_API Tensor wb_randperm(int64_t n, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::randperm(n, WB_OPTS), requires_grad)) }
WB_API Tensor wb_arange(WbScalar start, WbScalar end, WbScalar step, WB_OPT_PARAMS) {
  WB_TENSOR(wb::with_grad(at::arange(wb::scalar(start), wb::scalar(end), wb::scalar(step), WB_OPTS), requires_grad))
}
WB_API Tensor wb_linspace(double start, double end, int64_t steps, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::linspace(start, end, steps, WB_OPTS), requires_grad)) }
WB_API Tensor wb_eye(int64_t n, int64_t m, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::eye(n, m, WB_OPTS), requires_grad)) }
WB_API Tensor wb_empty_like(Tensor t, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::empty_like(*t, WB_OPTS), requires_grad)) }
WB_API Tensor wb_zeros_like(Tensor t, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::zeros_like(*t, WB_OPTS), requires_grad)) }
WB_API Tensor wb_ones_like(Tensor t, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::ones_like(*t, WB_OPTS), requires_grad)) }
WB_API Tensor wb_full_like(Tensor t, WbScalar value, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::full_like(*t, wb::scalar(value), WB_OPTS), requires_grad)) }
WB_API Tensor wb_rand_like(Tensor t, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::rand_like(*t, WB_OPTS), requires_grad)) }
WB_API Tensor wb_randn_like(Tensor t, WB_OPT_PARAMS) { WB_TENSOR(wb::with_grad(at::randn_like(*t, WB_OPTS), requires_grad)) }

// Copies `nbytes` of host memory into a new CPU tensor of the given shape and dtype.
WB_API Tensor wb_from_data(const void* data, const int64_t* shape, int ndim, int dtype) {
  try {
    auto t = at::empty(wb::ints(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    std::memcpy(t.data_ptr(), data, t.numel() * t.element_size());
    return wb::wrap(std::move(t));
  }
  WB_CATCH(nullptr)
}

// Copies the tensor's elements (any device, any layout) into host memory in row-major order.
WB_API int wb_copy_to_host(Tensor t, void* dst, int64_t nbytes) {
  try {
    auto c = t->detach().to(at::kCPU).contiguous();
    int64_t n = c.numel() * static_cast<int64_t>(c.element_size());
    TORCH_CHECK(n == nbytes, "copy_to_host: destination holds ", nbytes, " bytes but the tensor has ", n);
    std::memcpy(dst, c.data_ptr(), n);
    return 0;
  }
  WB_CATCH(-1)
}

// Raw pointer to a CPU contiguous tensor's data (for zero-copy reads by managed code).
WB_API void* wb_data_ptr(Tensor t) {
  try {
    TORCH_CHECK(t->device().is_cpu() && t->is_contiguous(), "data_ptr: tensor must be contiguous and on the CPU");
    return t->data_ptr();
  }
  WB_CATCH(nullptr)
}

WB_API int wb_item(Tensor t, WbScalar* out) {
  try {
    auto s = t->item();
    if (s.isBoolean()) *out = WbScalar{s.toBool() ? 1 : 0, s.toBool() ? 1.0 : 0.0, 2};
    else if (s.isIntegral(false)) *out = WbScalar{s.toLong(), static_cast<double>(s.toLong()), 1};
    else *out = WbScalar{0, s.toDouble(), 0};
    return 0;
  }
  WB_CATCH(-1)
}

// ---- conversion -------------------------------------------------------------------------
WB_API Tensor wb_to(Tensor t, int dtype, int device_type, int device_index, int non_blocking, int copy) {
  try {
    auto dev = device_type >= 0 ? c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)) : t->device();
    auto st = dtype >= 0 ? static_cast<at::ScalarType>(dtype) : t->scalar_type();
    return wb::wrap(t->to(dev, st, non_blocking != 0, copy != 0));
  }
  WB_CATCH(nullptr)
}
WB_API Tensor wb_clone(Tensor t) { WB_TENSOR(t->clone()) }
WB_API Tensor wb_contiguous(Tensor t) { WB_TENSOR(t->contiguous()) }
WB_API Tensor wb_alias(Tensor t) { WB_TENSOR(*t) }
