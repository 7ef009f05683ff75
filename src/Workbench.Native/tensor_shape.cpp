// Views and layout changes, joining and splitting, gathering, and Python-style indexing.
#include "wb_common.h"

WB_API Tensor wb_reshape(Tensor a, const int64_t* s, int n) { WB_TENSOR(at::reshape(*a, wb::ints(s, n))) }
WB_API Tensor wb_view(Tensor a, const int64_t* s, int n) { WB_TENSOR(a->view(wb::ints(s, n))) }
WB_API Tensor wb_permute(Tensor a, const int64_t* s, int n) { WB_TENSOR(a->permute(wb::ints(s, n))) }
WB_API Tensor wb_transpose(Tensor a, int64_t d0, int64_t d1) { WB_TENSOR(at::transpose(*a, d0, d1)) }
WB_API Tensor wb_squeeze(Tensor a) { WB_TENSOR(at::squeeze(*a)) }
WB_API Tensor wb_squeeze_dim(Tensor a, int64_t d) { WB_TENSOR(at::squeeze(*a, d)) }
WB_API Tensor wb_unsqueeze(Tensor a, int64_t d) { WB_TENSOR(at::unsqueeze(*a, d)) }
WB_API Tensor wb_expand(Tensor a, const int64_t* s, int n) { WB_TENSOR(a->expand(wb::ints(s, n))) }
WB_API Tensor wb_expand_as(Tensor a, Tensor b) { WB_TENSOR(a->expand_as(*b)) }
WB_API Tensor wb_repeat(Tensor a, const int64_t* s, int n) { WB_TENSOR(a->repeat(wb::ints(s, n))) }
WB_API Tensor wb_flatten(Tensor a, int64_t start, int64_t end) { WB_TENSOR(at::flatten(*a, start, end)) }
WB_API Tensor wb_unflatten(Tensor a, int64_t dim, const int64_t* s, int n) { WB_TENSOR(a->unflatten(dim, wb::ints(s, n))) }
WB_API Tensor wb_narrow(Tensor a, int64_t dim, int64_t start, int64_t length) { WB_TENSOR(at::narrow(*a, dim, start, length)) }
WB_API Tensor wb_select(Tensor a, int64_t dim, int64_t index) { WB_TENSOR(at::select(*a, dim, index)) }
WB_API Tensor wb_slice(Tensor a, int64_t dim, int64_t start, int64_t end, int64_t step) { WB_TENSOR(at::slice(*a, dim, start, end, step)) }
WB_API Tensor wb_index_select(Tensor a, int64_t dim, Tensor index) { WB_TENSOR(at::index_select(*a, dim, *index)) }
WB_API Tensor wb_gather(Tensor a, int64_t dim, Tensor index) { WB_TENSOR(at::gather(*a, dim, *index)) }
WB_API Tensor wb_scatter(Tensor a, int64_t dim, Tensor index, Tensor src) { WB_TENSOR(at::scatter(*a, dim, *index, *src)) }
WB_API Tensor wb_flip(Tensor a, const int64_t* d, int n) { WB_TENSOR(at::flip(*a, wb::ints(d, n))) }
WB_API Tensor wb_roll(Tensor a, const int64_t* shifts, const int64_t* d, int n) { WB_TENSOR(at::roll(*a, wb::ints(shifts, n), wb::ints(d, n))) }
WB_API Tensor wb_tril(Tensor a, int64_t k) { WB_TENSOR(at::tril(*a, k)) }
WB_API Tensor wb_triu(Tensor a, int64_t k) { WB_TENSOR(at::triu(*a, k)) }
WB_API Tensor wb_cat(const Tensor* ts, int n, int64_t dim) { WB_TENSOR(at::cat(wb::tensors(ts, n), dim)) }
WB_API Tensor wb_stack(const Tensor* ts, int n, int64_t dim) { WB_TENSOR(at::stack(wb::tensors(ts, n), dim)) }

WB_API Tensor* wb_split(Tensor a, const int64_t* sizes, int n, int64_t dim, int* count) {
  try { return wb::wrap_list(at::split_with_sizes(*a, wb::ints(sizes, n), dim), count); }
  WB_CATCH(nullptr)
}
WB_API Tensor* wb_split_size(Tensor a, int64_t size, int64_t dim, int* count) {
  try { return wb::wrap_list(at::split(*a, size, dim), count); }
  WB_CATCH(nullptr)
}
WB_API Tensor* wb_chunk(Tensor a, int64_t chunks, int64_t dim, int* count) {
  try { return wb::wrap_list(at::chunk(*a, chunks, dim), count); }
  WB_CATCH(nullptr)
}
WB_API Tensor* wb_unbind(Tensor a, int64_t dim, int* count) {
  try { return wb::wrap_list(at::unbind(*a, dim), count); }
  WB_CATCH(nullptr)
}

// Python-style indexing. Each index is one of: 0 integer, 1 slice(start, stop, step),
// 2 None (new axis), 3 Ellipsis, 4 tensor (bool mask or int64 indices). Slices use the
// has_start/has_stop flags to express open ends, as `a[:3]` or `a[::2]`.
struct WbIndex {
  int32_t kind;
  int32_t has_start;
  int32_t has_stop;
  int32_t pad;
  int64_t start;
  int64_t stop;
  int64_t step;
  Tensor tensor;
};

static std::vector<at::indexing::TensorIndex> to_indices(const WbIndex* ix, int n) {
  using namespace at::indexing;
  std::vector<TensorIndex> v;
  v.reserve(n);
  for (int k = 0; k < n; ++k) {
    const auto& i = ix[k];
    switch (i.kind) {
      case 0: v.emplace_back(i.start); break;
      case 1:
        v.emplace_back(Slice(i.has_start ? c10::optional<int64_t>(i.start) : c10::nullopt,
                             i.has_stop ? c10::optional<int64_t>(i.stop) : c10::nullopt,
                             c10::optional<int64_t>(i.step)));
        break;
      case 2: v.emplace_back(None); break;
      case 3: v.emplace_back(Ellipsis); break;
      default: v.emplace_back(*i.tensor); break;
    }
  }
  return v;
}

WB_API Tensor wb_index(Tensor a, const WbIndex* ix, int n) { WB_TENSOR(a->index(to_indices(ix, n))) }
WB_API int wb_index_put_(Tensor a, const WbIndex* ix, int n, Tensor value) { WB_STATUS(a->index_put_(to_indices(ix, n), *value)) }
WB_API int wb_index_put_scalar_(Tensor a, const WbIndex* ix, int n, WbScalar value) {
  WB_STATUS(a->index_put_(to_indices(ix, n), wb::scalar(value)))
}
