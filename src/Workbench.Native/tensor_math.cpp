// Elementwise math, comparisons, in-place updates (used by optimizers), reductions, linear algebra.
#include "wb_common.h"

// ---- unary ------------------------------------------------------------------------------
#define WB_UNARY(name) \
  WB_API Tensor wb_##name(Tensor a) { WB_TENSOR(at::name(*a)) } \
  WB_API int wb_##name##_(Tensor a) { WB_STATUS(a->name##_()) }
WB_UNARY(neg) WB_UNARY(abs) WB_UNARY(exp) WB_UNARY(expm1) WB_UNARY(log) WB_UNARY(log1p) WB_UNARY(log2)
WB_UNARY(log10) WB_UNARY(sqrt) WB_UNARY(rsqrt) WB_UNARY(sin) WB_UNARY(cos) WB_UNARY(tan) WB_UNARY(tanh)
WB_UNARY(sigmoid) WB_UNARY(relu) WB_UNARY(floor) WB_UNARY(ceil) WB_UNARY(round) WB_UNARY(trunc)
WB_UNARY(frac) WB_UNARY(sign) WB_UNARY(reciprocal) WB_UNARY(square) WB_UNARY(erf) WB_UNARY(asin)
WB_UNARY(acos) WB_UNARY(atan) WB_UNARY(sinh) WB_UNARY(cosh) WB_UNARY(logical_not)
#undef WB_UNARY

WB_API Tensor wb_isnan(Tensor a) { WB_TENSOR(at::isnan(*a)) }
WB_API Tensor wb_isinf(Tensor a) { WB_TENSOR(at::isinf(*a)) }
WB_API Tensor wb_isfinite(Tensor a) { WB_TENSOR(at::isfinite(*a)) }
WB_API Tensor wb_silu(Tensor a) { WB_TENSOR(at::silu(*a)) }
WB_API Tensor wb_gelu(Tensor a) { WB_TENSOR(at::gelu(*a)) }
WB_API Tensor wb_leaky_relu(Tensor a, double slope) { WB_TENSOR(at::leaky_relu(*a, slope)) }
WB_API int wb_leaky_relu_(Tensor a, double slope) { WB_STATUS(at::leaky_relu_(*a, slope)) }
WB_API Tensor wb_softplus(Tensor a, double beta, double threshold) { WB_TENSOR(at::softplus(*a, beta, threshold)) }
WB_API Tensor wb_logit(Tensor a) { WB_TENSOR(at::logit(*a)) }

// ---- binary -----------------------------------------------------------------------------
WB_API Tensor wb_add(Tensor a, Tensor b, WbScalar alpha) { WB_TENSOR(at::add(*a, *b, wb::scalar(alpha))) }
WB_API Tensor wb_sub(Tensor a, Tensor b, WbScalar alpha) { WB_TENSOR(at::sub(*a, *b, wb::scalar(alpha))) }
WB_API Tensor wb_add_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::add(*a, wb::scalar(b))) }
WB_API Tensor wb_sub_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::sub(*a, wb::scalar(b))) }
WB_API Tensor wb_rsub_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::rsub(*a, wb::scalar(b))) }
WB_API Tensor wb_mul_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::mul(*a, wb::scalar(b))) }
WB_API Tensor wb_div_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::div(*a, wb::scalar(b))) }
WB_API Tensor wb_rdiv_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::mul(at::reciprocal(*a), wb::scalar(b))) }
WB_API Tensor wb_pow_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::pow(*a, wb::scalar(b))) }
WB_API Tensor wb_rpow_scalar(WbScalar a, Tensor b) { WB_TENSOR(at::pow(wb::scalar(a), *b)) }
WB_API Tensor wb_remainder_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::remainder(*a, wb::scalar(b))) }
WB_API Tensor wb_fmod_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::fmod(*a, wb::scalar(b))) }

#define WB_BINARY(name) \
  WB_API Tensor wb_##name(Tensor a, Tensor b) { WB_TENSOR(at::name(*a, *b)) }
WB_BINARY(mul) WB_BINARY(div) WB_BINARY(pow) WB_BINARY(remainder) WB_BINARY(fmod) WB_BINARY(maximum)
WB_BINARY(minimum) WB_BINARY(atan2) WB_BINARY(logical_and) WB_BINARY(logical_or) WB_BINARY(logical_xor)
WB_BINARY(eq) WB_BINARY(ne) WB_BINARY(lt) WB_BINARY(le) WB_BINARY(gt) WB_BINARY(ge)
WB_BINARY(matmul) WB_BINARY(mm) WB_BINARY(bmm) WB_BINARY(dot) WB_BINARY(outer) WB_BINARY(bitwise_and)
WB_BINARY(bitwise_or) WB_BINARY(bitwise_xor)
#undef WB_BINARY

#define WB_COMPARE_SCALAR(name) \
  WB_API Tensor wb_##name##_scalar(Tensor a, WbScalar b) { WB_TENSOR(at::name(*a, wb::scalar(b))) }
WB_COMPARE_SCALAR(eq) WB_COMPARE_SCALAR(ne) WB_COMPARE_SCALAR(lt) WB_COMPARE_SCALAR(le) WB_COMPARE_SCALAR(gt)
WB_COMPARE_SCALAR(ge)
#undef WB_COMPARE_SCALAR

WB_API Tensor wb_div_mode(Tensor a, Tensor b, const char* rounding_mode) { WB_TENSOR(at::div(*a, *b, c10::string_view(rounding_mode))) }
WB_API Tensor wb_where(Tensor cond, Tensor a, Tensor b) { WB_TENSOR(at::where(*cond, *a, *b)) }
WB_API Tensor wb_lerp(Tensor a, Tensor b, WbScalar w) { WB_TENSOR(at::lerp(*a, *b, wb::scalar(w))) }
// Bounds are tagged scalars: an int64 tensor clamped by integers stays int64, as in PyTorch.
WB_API Tensor wb_clamp(Tensor a, int has_min, WbScalar min, int has_max, WbScalar max) {
  WB_TENSOR(at::clamp(*a, has_min ? c10::optional<at::Scalar>(wb::scalar(min)) : c10::nullopt, has_max ? c10::optional<at::Scalar>(wb::scalar(max)) : c10::nullopt))
}
WB_API int wb_clamp_(Tensor a, int has_min, WbScalar min, int has_max, WbScalar max) {
  WB_STATUS(at::clamp_(*a, has_min ? c10::optional<at::Scalar>(wb::scalar(min)) : c10::nullopt, has_max ? c10::optional<at::Scalar>(wb::scalar(max)) : c10::nullopt))
}
WB_API int wb_allclose(Tensor a, Tensor b, double rtol, double atol, int* out) { WB_STATUS(*out = at::allclose(*a, *b, rtol, atol)) }
WB_API int wb_equal(Tensor a, Tensor b, int* out) { WB_STATUS(*out = at::equal(*a, *b)) }

// ---- in place (optimizers and initialisers write through these) -------------------------
WB_API int wb_add_(Tensor a, Tensor b, WbScalar alpha) { WB_STATUS(a->add_(*b, wb::scalar(alpha))) }
WB_API int wb_sub_(Tensor a, Tensor b, WbScalar alpha) { WB_STATUS(a->sub_(*b, wb::scalar(alpha))) }
WB_API int wb_mul_(Tensor a, Tensor b) { WB_STATUS(a->mul_(*b)) }
WB_API int wb_div_(Tensor a, Tensor b) { WB_STATUS(a->div_(*b)) }
WB_API int wb_add_scalar_(Tensor a, WbScalar b) { WB_STATUS(a->add_(wb::scalar(b))) }
WB_API int wb_mul_scalar_(Tensor a, WbScalar b) { WB_STATUS(a->mul_(wb::scalar(b))) }
WB_API int wb_div_scalar_(Tensor a, WbScalar b) { WB_STATUS(a->div_(wb::scalar(b))) }
WB_API int wb_pow_scalar_(Tensor a, WbScalar b) { WB_STATUS(a->pow_(wb::scalar(b))) }
WB_API int wb_addcmul_(Tensor a, Tensor t1, Tensor t2, WbScalar v) { WB_STATUS(a->addcmul_(*t1, *t2, wb::scalar(v))) }
WB_API int wb_addcdiv_(Tensor a, Tensor t1, Tensor t2, WbScalar v) { WB_STATUS(a->addcdiv_(*t1, *t2, wb::scalar(v))) }
WB_API int wb_lerp_(Tensor a, Tensor b, WbScalar w) { WB_STATUS(a->lerp_(*b, wb::scalar(w))) }
WB_API int wb_maximum_out_(Tensor a, Tensor b) { WB_STATUS(at::maximum_out(*a, *a, *b)) }
WB_API int wb_zero_(Tensor a) { WB_STATUS(a->zero_()) }
WB_API int wb_fill_(Tensor a, WbScalar v) { WB_STATUS(a->fill_(wb::scalar(v))) }
WB_API int wb_copy_(Tensor dst, Tensor src, int non_blocking) { WB_STATUS(dst->copy_(*src, non_blocking != 0)) }
WB_API int wb_uniform_(Tensor a, double from, double to) { WB_STATUS(a->uniform_(from, to)) }
WB_API int wb_normal_(Tensor a, double mean, double std) { WB_STATUS(a->normal_(mean, std)) }
WB_API int wb_bernoulli_(Tensor a, double p) { WB_STATUS(a->bernoulli_(p)) }
WB_API int wb_masked_fill_(Tensor a, Tensor mask, WbScalar v) { WB_STATUS(a->masked_fill_(*mask, wb::scalar(v))) }
WB_API Tensor wb_masked_fill(Tensor a, Tensor mask, WbScalar v) { WB_TENSOR(a->masked_fill(*mask, wb::scalar(v))) }
WB_API Tensor wb_masked_select(Tensor a, Tensor mask) { WB_TENSOR(at::masked_select(*a, *mask)) }
WB_API Tensor wb_addcmul(Tensor a, Tensor t1, Tensor t2, WbScalar v) { WB_TENSOR(at::addcmul(*a, *t1, *t2, wb::scalar(v))) }
WB_API Tensor wb_addcdiv(Tensor a, Tensor t1, Tensor t2, WbScalar v) { WB_TENSOR(at::addcdiv(*a, *t1, *t2, wb::scalar(v))) }

// ---- reductions -------------------------------------------------------------------------
// A dim list of length -1 means "all dimensions" (PyTorch's dim=None).
static at::OptionalIntArrayRef dims(const int64_t* p, int n) {
  if (n < 0) return c10::nullopt;
  return wb::ints(p, n);
}
WB_API Tensor wb_sum(Tensor a, const int64_t* d, int nd, int keepdim, int dtype) {
  WB_TENSOR(at::sum(*a, dims(d, nd), keepdim != 0, dtype >= 0 ? c10::optional<at::ScalarType>(static_cast<at::ScalarType>(dtype)) : c10::nullopt))
}
WB_API Tensor wb_mean(Tensor a, const int64_t* d, int nd, int keepdim) { WB_TENSOR(at::mean(*a, dims(d, nd), keepdim != 0)) }
WB_API Tensor wb_var(Tensor a, const int64_t* d, int nd, int64_t correction, int keepdim) {
  WB_TENSOR(at::var(*a, dims(d, nd), c10::optional<int64_t>(correction), keepdim != 0))
}
WB_API Tensor wb_std(Tensor a, const int64_t* d, int nd, int64_t correction, int keepdim) {
  WB_TENSOR(at::std(*a, dims(d, nd), c10::optional<int64_t>(correction), keepdim != 0))
}
WB_API Tensor wb_amax(Tensor a, const int64_t* d, int nd, int keepdim) { WB_TENSOR(at::amax(*a, nd < 0 ? at::IntArrayRef{} : wb::ints(d, nd), keepdim != 0)) }
WB_API Tensor wb_amin(Tensor a, const int64_t* d, int nd, int keepdim) { WB_TENSOR(at::amin(*a, nd < 0 ? at::IntArrayRef{} : wb::ints(d, nd), keepdim != 0)) }
WB_API Tensor wb_prod(Tensor a) { WB_TENSOR(at::prod(*a)) }
WB_API Tensor wb_prod_dim(Tensor a, int64_t dim, int keepdim) { WB_TENSOR(at::prod(*a, dim, keepdim != 0)) }
WB_API Tensor wb_max_all(Tensor a) { WB_TENSOR(at::max(*a)) }
WB_API Tensor wb_min_all(Tensor a) { WB_TENSOR(at::min(*a)) }
WB_API int wb_max_dim(Tensor a, int64_t dim, int keepdim, Tensor* values, Tensor* indices) {
  try {
    auto r = at::max(*a, dim, keepdim != 0);
    *values = wb::wrap(std::get<0>(r));
    *indices = wb::wrap(std::get<1>(r));
    return 0;
  }
  WB_CATCH(-1)
}
WB_API int wb_min_dim(Tensor a, int64_t dim, int keepdim, Tensor* values, Tensor* indices) {
  try {
    auto r = at::min(*a, dim, keepdim != 0);
    *values = wb::wrap(std::get<0>(r));
    *indices = wb::wrap(std::get<1>(r));
    return 0;
  }
  WB_CATCH(-1)
}
WB_API Tensor wb_argmax(Tensor a, int has_dim, int64_t dim, int keepdim) {
  WB_TENSOR(at::argmax(*a, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}
WB_API Tensor wb_argmin(Tensor a, int has_dim, int64_t dim, int keepdim) {
  WB_TENSOR(at::argmin(*a, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}
WB_API Tensor wb_norm(Tensor a, double p, const int64_t* d, int nd, int keepdim) {
  WB_TENSOR(nd < 0 ? at::norm(*a, p) : at::norm(*a, p, wb::ints(d, nd), keepdim != 0))
}
WB_API Tensor wb_logsumexp(Tensor a, const int64_t* d, int nd, int keepdim) { WB_TENSOR(at::logsumexp(*a, wb::ints(d, nd), keepdim != 0)) }
WB_API Tensor wb_cumsum(Tensor a, int64_t dim) { WB_TENSOR(at::cumsum(*a, dim)) }
WB_API Tensor wb_all(Tensor a) { WB_TENSOR(at::all(*a)) }
WB_API Tensor wb_any(Tensor a) { WB_TENSOR(at::any(*a)) }
WB_API Tensor wb_count_nonzero(Tensor a) { WB_TENSOR(at::count_nonzero(*a)) }
WB_API Tensor wb_nonzero(Tensor a) { WB_TENSOR(at::nonzero(*a)) }
WB_API int wb_sort(Tensor a, int64_t dim, int descending, Tensor* values, Tensor* indices) {
  try {
    auto r = at::sort(*a, dim, descending != 0);
    *values = wb::wrap(std::get<0>(r));
    *indices = wb::wrap(std::get<1>(r));
    return 0;
  }
  WB_CATCH(-1)
}
WB_API int wb_topk(Tensor a, int64_t k, int64_t dim, int largest, Tensor* values, Tensor* indices) {
  try {
    auto r = at::topk(*a, k, dim, largest != 0);
    *values = wb::wrap(std::get<0>(r));
    *indices = wb::wrap(std::get<1>(r));
    return 0;
  }
  WB_CATCH(-1)
}

// ---- linear algebra ---------------------------------------------------------------------
WB_API Tensor wb_einsum(const char* equation, const Tensor* ts, int n) { WB_TENSOR(at::einsum(equation, wb::tensors(ts, n))) }
WB_API Tensor wb_addmm(Tensor bias, Tensor a, Tensor b, WbScalar beta, WbScalar alpha) {
  WB_TENSOR(at::addmm(*bias, *a, *b, wb::scalar(beta), wb::scalar(alpha)))
}
