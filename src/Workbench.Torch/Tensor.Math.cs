using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

// Elementwise math, comparisons, in-place updates, reductions and linear algebra (tensor_math.cpp).
public sealed partial class Tensor
{
    // ---- unary (generated list mirrors tensor_math.cpp's WB_UNARY) -----------------------
    public Tensor neg() => new(wb_neg(Handle));
    public Tensor neg_() { Check(wb_neg_(Handle)); return this; }
    public Tensor abs() => new(wb_abs(Handle));
    public Tensor abs_() { Check(wb_abs_(Handle)); return this; }
    public Tensor exp() => new(wb_exp(Handle));
    public Tensor exp_() { Check(wb_exp_(Handle)); return this; }
    public Tensor expm1() => new(wb_expm1(Handle));
    public Tensor expm1_() { Check(wb_expm1_(Handle)); return this; }
    public Tensor log() => new(wb_log(Handle));
    public Tensor log_() { Check(wb_log_(Handle)); return this; }
    public Tensor log1p() => new(wb_log1p(Handle));
    public Tensor log1p_() { Check(wb_log1p_(Handle)); return this; }
    public Tensor log2() => new(wb_log2(Handle));
    public Tensor log2_() { Check(wb_log2_(Handle)); return this; }
    public Tensor log10() => new(wb_log10(Handle));
    public Tensor log10_() { Check(wb_log10_(Handle)); return this; }
    public Tensor sqrt() => new(wb_sqrt(Handle));
    public Tensor sqrt_() { Check(wb_sqrt_(Handle)); return this; }
    public Tensor rsqrt() => new(wb_rsqrt(Handle));
    public Tensor rsqrt_() { Check(wb_rsqrt_(Handle)); return this; }
    public Tensor sin() => new(wb_sin(Handle));
    public Tensor sin_() { Check(wb_sin_(Handle)); return this; }
    public Tensor cos() => new(wb_cos(Handle));
    public Tensor cos_() { Check(wb_cos_(Handle)); return this; }
    public Tensor tan() => new(wb_tan(Handle));
    public Tensor tan_() { Check(wb_tan_(Handle)); return this; }
    public Tensor tanh() => new(wb_tanh(Handle));
    public Tensor tanh_() { Check(wb_tanh_(Handle)); return this; }
    public Tensor sigmoid() => new(wb_sigmoid(Handle));
    public Tensor sigmoid_() { Check(wb_sigmoid_(Handle)); return this; }
    public Tensor relu() => new(wb_relu(Handle));
    public Tensor relu_() { Check(wb_relu_(Handle)); return this; }
    public Tensor floor() => new(wb_floor(Handle));
    public Tensor floor_() { Check(wb_floor_(Handle)); return this; }
    public Tensor ceil() => new(wb_ceil(Handle));
    public Tensor ceil_() { Check(wb_ceil_(Handle)); return this; }
    public Tensor round() => new(wb_round(Handle));
    public Tensor round_() { Check(wb_round_(Handle)); return this; }
    public Tensor trunc() => new(wb_trunc(Handle));
    public Tensor trunc_() { Check(wb_trunc_(Handle)); return this; }
    public Tensor frac() => new(wb_frac(Handle));
    public Tensor frac_() { Check(wb_frac_(Handle)); return this; }
    public Tensor sign() => new(wb_sign(Handle));
    public Tensor sign_() { Check(wb_sign_(Handle)); return this; }
    public Tensor reciprocal() => new(wb_reciprocal(Handle));
    public Tensor reciprocal_() { Check(wb_reciprocal_(Handle)); return this; }
    public Tensor square() => new(wb_square(Handle));
    public Tensor square_() { Check(wb_square_(Handle)); return this; }
    public Tensor erf() => new(wb_erf(Handle));
    public Tensor erf_() { Check(wb_erf_(Handle)); return this; }
    public Tensor asin() => new(wb_asin(Handle));
    public Tensor asin_() { Check(wb_asin_(Handle)); return this; }
    public Tensor acos() => new(wb_acos(Handle));
    public Tensor acos_() { Check(wb_acos_(Handle)); return this; }
    public Tensor atan() => new(wb_atan(Handle));
    public Tensor atan_() { Check(wb_atan_(Handle)); return this; }
    public Tensor sinh() => new(wb_sinh(Handle));
    public Tensor sinh_() { Check(wb_sinh_(Handle)); return this; }
    public Tensor cosh() => new(wb_cosh(Handle));
    public Tensor cosh_() { Check(wb_cosh_(Handle)); return this; }
    public Tensor logical_not() => new(wb_logical_not(Handle));
    public Tensor logical_not_() { Check(wb_logical_not_(Handle)); return this; }

    // ---- binary ----------------------------------------------------------------------
    public Tensor mul(Tensor other) => new(wb_mul(Handle, other.Handle));
    public Tensor div(Tensor other) => new(wb_div(Handle, other.Handle));
    public Tensor pow(Tensor other) => new(wb_pow(Handle, other.Handle));
    public Tensor remainder(Tensor other) => new(wb_remainder(Handle, other.Handle));
    public Tensor fmod(Tensor other) => new(wb_fmod(Handle, other.Handle));
    public Tensor maximum(Tensor other) => new(wb_maximum(Handle, other.Handle));
    public Tensor minimum(Tensor other) => new(wb_minimum(Handle, other.Handle));
    public Tensor atan2(Tensor other) => new(wb_atan2(Handle, other.Handle));
    public Tensor logical_and(Tensor other) => new(wb_logical_and(Handle, other.Handle));
    public Tensor logical_or(Tensor other) => new(wb_logical_or(Handle, other.Handle));
    public Tensor logical_xor(Tensor other) => new(wb_logical_xor(Handle, other.Handle));
    public Tensor eq(Tensor other) => new(wb_eq(Handle, other.Handle));
    public Tensor ne(Tensor other) => new(wb_ne(Handle, other.Handle));
    public Tensor lt(Tensor other) => new(wb_lt(Handle, other.Handle));
    public Tensor le(Tensor other) => new(wb_le(Handle, other.Handle));
    public Tensor gt(Tensor other) => new(wb_gt(Handle, other.Handle));
    public Tensor ge(Tensor other) => new(wb_ge(Handle, other.Handle));
    public Tensor matmul(Tensor other) => new(wb_matmul(Handle, other.Handle));
    public Tensor mm(Tensor other) => new(wb_mm(Handle, other.Handle));
    public Tensor bmm(Tensor other) => new(wb_bmm(Handle, other.Handle));
    public Tensor dot(Tensor other) => new(wb_dot(Handle, other.Handle));
    public Tensor outer(Tensor other) => new(wb_outer(Handle, other.Handle));
    public Tensor bitwise_and(Tensor other) => new(wb_bitwise_and(Handle, other.Handle));
    public Tensor bitwise_or(Tensor other) => new(wb_bitwise_or(Handle, other.Handle));
    public Tensor bitwise_xor(Tensor other) => new(wb_bitwise_xor(Handle, other.Handle));
    public Tensor eq(Scalar other) => new(wb_eq_scalar(Handle, other.Value));
    public Tensor ne(Scalar other) => new(wb_ne_scalar(Handle, other.Value));
    public Tensor lt(Scalar other) => new(wb_lt_scalar(Handle, other.Value));
    public Tensor le(Scalar other) => new(wb_le_scalar(Handle, other.Value));
    public Tensor gt(Scalar other) => new(wb_gt_scalar(Handle, other.Value));
    public Tensor ge(Scalar other) => new(wb_ge_scalar(Handle, other.Value));
    public Tensor mul(Scalar other) => new(wb_mul_scalar(Handle, other.Value));
    public Tensor div(Scalar other) => new(wb_div_scalar(Handle, other.Value));
    public Tensor pow(Scalar other) => new(wb_pow_scalar(Handle, other.Value));
    public Tensor remainder(Scalar other) => new(wb_remainder_scalar(Handle, other.Value));
    public Tensor fmod(Scalar other) => new(wb_fmod_scalar(Handle, other.Value));

    public Tensor add(Tensor other, Scalar? alpha = null) => new(wb_add(Handle, other.Handle, (alpha ?? 1).Value));
    public Tensor sub(Tensor other, Scalar? alpha = null) => new(wb_sub(Handle, other.Handle, (alpha ?? 1).Value));
    public Tensor add(Scalar other) => new(wb_add_scalar(Handle, other.Value));
    public Tensor sub(Scalar other) => new(wb_sub_scalar(Handle, other.Value));

    /// <summary>Division with rounding_mode "trunc" or "floor" (null: true division).</summary>
    public Tensor div(Tensor other, string? rounding_mode) => rounding_mode is null ? div(other) : new(wb_div_mode(Handle, other.Handle, rounding_mode));
    public Tensor isnan() => new(wb_isnan(Handle));
    public Tensor isinf() => new(wb_isinf(Handle));
    public Tensor isfinite() => new(wb_isfinite(Handle));
    public Tensor silu() => new(wb_silu(Handle));
    public Tensor gelu() => new(wb_gelu(Handle));
    public Tensor leaky_relu(double negative_slope = 0.01) => new(wb_leaky_relu(Handle, negative_slope));
    public Tensor leaky_relu_(double negative_slope = 0.01) { Check(wb_leaky_relu_(Handle, negative_slope)); return this; }
    public Tensor softplus(double beta = 1, double threshold = 20) => new(wb_softplus(Handle, beta, threshold));
    public Tensor logit() => new(wb_logit(Handle));
    public Tensor lerp(Tensor end, Scalar weight) => new(wb_lerp(Handle, end.Handle, weight.Value));
    /// <summary>Integer bounds keep an integer tensor integer (PyTorch's type promotion); double bounds make it floating.</summary>
    public Tensor clamp(Scalar? min = null, Scalar? max = null) => new(wb_clamp(Handle, min.HasValue ? 1 : 0, (min ?? 0).Value, max.HasValue ? 1 : 0, (max ?? 0).Value));
    public Tensor clamp_(Scalar? min = null, Scalar? max = null) { Check(wb_clamp_(Handle, min.HasValue ? 1 : 0, (min ?? 0).Value, max.HasValue ? 1 : 0, (max ?? 0).Value)); return this; }
    public Tensor clip(Scalar? min = null, Scalar? max = null) => clamp(min, max);
    public Tensor where(Tensor condition, Tensor other) => new(wb_where(condition.Handle, Handle, other.Handle));
    public Tensor masked_fill(Tensor mask, Scalar value) => new(wb_masked_fill(Handle, mask.Handle, value.Value));
    public Tensor masked_select(Tensor mask) => new(wb_masked_select(Handle, mask.Handle));
    public Tensor addcmul(Tensor tensor1, Tensor tensor2, Scalar? value = null) => new(wb_addcmul(Handle, tensor1.Handle, tensor2.Handle, (value ?? 1).Value));
    public Tensor addcdiv(Tensor tensor1, Tensor tensor2, Scalar? value = null) => new(wb_addcdiv(Handle, tensor1.Handle, tensor2.Handle, (value ?? 1).Value));

    public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8) { Check(wb_allclose(Handle, other.Handle, rtol, atol, out var r)); return r != 0; }
    public bool equal(Tensor other) { Check(wb_equal(Handle, other.Handle, out var r)); return r != 0; }

    // ---- in place ----------------------------------------------------------------------
    public Tensor add_(Tensor other, Scalar? alpha = null) { Check(wb_add_(Handle, other.Handle, (alpha ?? 1).Value)); return this; }
    public Tensor sub_(Tensor other, Scalar? alpha = null) { Check(wb_sub_(Handle, other.Handle, (alpha ?? 1).Value)); return this; }
    public Tensor mul_(Tensor other) { Check(wb_mul_(Handle, other.Handle)); return this; }
    public Tensor div_(Tensor other) { Check(wb_div_(Handle, other.Handle)); return this; }
    public Tensor add_(Scalar other) { Check(wb_add_scalar_(Handle, other.Value)); return this; }
    public Tensor mul_(Scalar other) { Check(wb_mul_scalar_(Handle, other.Value)); return this; }
    public Tensor div_(Scalar other) { Check(wb_div_scalar_(Handle, other.Value)); return this; }
    public Tensor pow_(Scalar exponent) { Check(wb_pow_scalar_(Handle, exponent.Value)); return this; }
    public Tensor addcmul_(Tensor tensor1, Tensor tensor2, Scalar? value = null) { Check(wb_addcmul_(Handle, tensor1.Handle, tensor2.Handle, (value ?? 1).Value)); return this; }
    public Tensor addcdiv_(Tensor tensor1, Tensor tensor2, Scalar? value = null) { Check(wb_addcdiv_(Handle, tensor1.Handle, tensor2.Handle, (value ?? 1).Value)); return this; }
    public Tensor lerp_(Tensor end, Scalar weight) { Check(wb_lerp_(Handle, end.Handle, weight.Value)); return this; }
    /// <summary>this = max(this, other) elementwise, in place (AMSGrad's running maximum).</summary>
    public Tensor maximum_(Tensor other) { Check(wb_maximum_out_(Handle, other.Handle)); return this; }
    public Tensor zero_() { Check(wb_zero_(Handle)); return this; }
    public Tensor fill_(Scalar value) { Check(wb_fill_(Handle, value.Value)); return this; }
    public Tensor copy_(Tensor source, bool non_blocking = false) { Check(wb_copy_(Handle, source.Handle, non_blocking ? 1 : 0)); return this; }
    public Tensor uniform_(double from = 0, double to = 1) { Check(wb_uniform_(Handle, from, to)); return this; }
    public Tensor normal_(double mean = 0, double std = 1) { Check(wb_normal_(Handle, mean, std)); return this; }
    public Tensor bernoulli_(double p = 0.5) { Check(wb_bernoulli_(Handle, p)); return this; }
    public Tensor masked_fill_(Tensor mask, Scalar value) { Check(wb_masked_fill_(Handle, mask.Handle, value.Value)); return this; }

    // ---- reductions --------------------------------------------------------------------
    private static (long[]? dims, int n) Dims(long[]? dims) => dims is null ? (null, -1) : (dims, dims.Length);

    public Tensor sum(ScalarType? dtype = null) => new(wb_sum(Handle, null, -1, 0, dtype.HasValue ? (int)dtype.Value : -1));
    public Tensor sum(long[] dim, bool keepdim = false, ScalarType? dtype = null) => new(wb_sum(Handle, dim, dim.Length, keepdim ? 1 : 0, dtype.HasValue ? (int)dtype.Value : -1));
    public Tensor sum(long dim, bool keepdim = false) => sum(new[] { dim }, keepdim);

    /// <summary>Without this overload C# binds <c>x.sum(0)</c> to <c>sum(ScalarType? dtype)</c> (the literal 0
    /// converts to any enum), silently summing everything as uint8; PyTorch's x.sum(0) sums over dim 0.</summary>
    public Tensor sum(int dim, bool keepdim = false) => sum(new long[] { dim }, keepdim);
    public Tensor mean() => new(wb_mean(Handle, null, -1, 0));
    public Tensor mean(long[] dim, bool keepdim = false) => new(wb_mean(Handle, dim, dim.Length, keepdim ? 1 : 0));
    public Tensor mean(long dim, bool keepdim = false) => mean(new[] { dim }, keepdim);

    /// <summary>Variance with Bessel's correction by default (unbiased, as PyTorch).</summary>
    public Tensor var(long[]? dim = null, bool unbiased = true, bool keepdim = false) { var (d, n) = Dims(dim); return new(wb_var(Handle, d, n, unbiased ? 1 : 0, keepdim ? 1 : 0)); }
    public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => var(new[] { dim }, unbiased, keepdim);
    public Tensor std(long[]? dim = null, bool unbiased = true, bool keepdim = false) { var (d, n) = Dims(dim); return new(wb_std(Handle, d, n, unbiased ? 1 : 0, keepdim ? 1 : 0)); }
    public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => std(new[] { dim }, unbiased, keepdim);
    public Tensor amax(long[] dim, bool keepdim = false) => new(wb_amax(Handle, dim, dim.Length, keepdim ? 1 : 0));
    public Tensor amin(long[] dim, bool keepdim = false) => new(wb_amin(Handle, dim, dim.Length, keepdim ? 1 : 0));
    public Tensor prod() => new(wb_prod(Handle));
    public Tensor prod(long dim, bool keepdim = false) => new(wb_prod_dim(Handle, dim, keepdim ? 1 : 0));
    public Tensor max() => new(wb_max_all(Handle));
    public Tensor min() => new(wb_min_all(Handle));

    /// <summary>Maximum over a dimension: (values, indices), as torch.max(x, dim).</summary>
    public (Tensor values, Tensor indices) max(long dim, bool keepdim = false)
    {
        Check(wb_max_dim(Handle, dim, keepdim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    public (Tensor values, Tensor indices) min(long dim, bool keepdim = false)
    {
        Check(wb_min_dim(Handle, dim, keepdim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    public Tensor argmax() => new(wb_argmax(Handle, 0, 0, 0));
    public Tensor argmax(long dim, bool keepdim = false) => new(wb_argmax(Handle, 1, dim, keepdim ? 1 : 0));
    public Tensor argmin() => new(wb_argmin(Handle, 0, 0, 0));
    public Tensor argmin(long dim, bool keepdim = false) => new(wb_argmin(Handle, 1, dim, keepdim ? 1 : 0));
    public Tensor norm(double p = 2) => new(wb_norm(Handle, p, null, -1, 0));
    public Tensor norm(double p, long[] dim, bool keepdim = false) => new(wb_norm(Handle, p, dim, dim.Length, keepdim ? 1 : 0));
    public Tensor logsumexp(long[] dim, bool keepdim = false) => new(wb_logsumexp(Handle, dim, dim.Length, keepdim ? 1 : 0));
    public Tensor logsumexp(long dim, bool keepdim = false) => logsumexp(new[] { dim }, keepdim);
    public Tensor cumsum(long dim) => new(wb_cumsum(Handle, dim));
    public Tensor all() => new(wb_all(Handle));
    public Tensor any() => new(wb_any(Handle));
    public Tensor count_nonzero() => new(wb_count_nonzero(Handle));
    public Tensor nonzero() => new(wb_nonzero(Handle));

    public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false)
    {
        Check(wb_sort(Handle, dim, descending ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true)
    {
        Check(wb_topk(Handle, k, dim, largest ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    // ---- operators ---------------------------------------------------------------------
    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, Scalar b) => a.add(b);
    public static Tensor operator +(Scalar a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, Scalar b) => a.sub(b);
    public static Tensor operator -(Scalar a, Tensor b) => new(wb_rsub_scalar(b.Handle, a.Value));
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, Scalar b) => a.mul(b);
    public static Tensor operator *(Scalar a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, Scalar b) => a.div(b);
    public static Tensor operator /(Scalar a, Tensor b) => new(wb_rdiv_scalar(b.Handle, a.Value));
    public static Tensor operator %(Tensor a, Tensor b) => a.remainder(b);
    public static Tensor operator %(Tensor a, Scalar b) => a.remainder(b);
    public static Tensor operator -(Tensor a) => a.neg();
    // == and != compare element by element and return a bool tensor, as in PyTorch and TorchSharp. Without them C#
    // compiled `a == b` as a reference comparison: a bool that is false for equal values and true for the same object.
    // Null checks are `is null`; `t == null` does not compile (nullable warnings are errors) and throws elsewhere.
    public static Tensor operator ==(Tensor a, Tensor b) => NotNull(a).eq(NotNull(b));
    public static Tensor operator !=(Tensor a, Tensor b) => NotNull(a).ne(NotNull(b));
    public static Tensor operator ==(Tensor a, Scalar b) => NotNull(a).eq(b);
    public static Tensor operator !=(Tensor a, Scalar b) => NotNull(a).ne(b);
    public static Tensor operator <(Tensor a, Tensor b) => a.lt(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.gt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.le(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.ge(b);
    public static Tensor operator <(Tensor a, Scalar b) => a.lt(b);
    public static Tensor operator >(Tensor a, Scalar b) => a.gt(b);
    public static Tensor operator <=(Tensor a, Scalar b) => a.le(b);
    public static Tensor operator >=(Tensor a, Scalar b) => a.ge(b);
    public static Tensor operator &(Tensor a, Tensor b) => a.dtype == ScalarType.Bool ? a.logical_and(b) : a.bitwise_and(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.dtype == ScalarType.Bool ? a.logical_or(b) : a.bitwise_or(b);
    public static Tensor operator ^(Tensor a, Tensor b) => a.dtype == ScalarType.Bool ? a.logical_xor(b) : a.bitwise_xor(b);
    public static Tensor operator !(Tensor a) => a.logical_not();

    /// <summary>Reference identity (a tensor handle's object), as for any .NET object; values compare with <see cref="equal"/> or ==.</summary>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    private static Tensor NotNull(Tensor? t) =>
        t ?? throw new ArgumentNullException(nameof(t), "a tensor compared with == or != is null; test for null with `is null`");
}
