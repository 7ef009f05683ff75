using System.Runtime.CompilerServices;

namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>torch.nn.utils: spectral normalization and gradient clipping.</summary>
    public static class utils
    {
        private static readonly ConditionalWeakTable<Module, Dictionary<string, (SpectralNorm norm, RemovableHandle hook, RemovableHandle loadHook)>> SpectralNorms = new();

        /// <summary>
        /// Spectral normalization (Miyato et al. 2018), with PyTorch 1.13's state and semantics: the parameter
        /// becomes <c>{name}_orig</c>, buffers <c>{name}_u</c> and <c>{name}_v</c> hold the power-iteration vectors,
        /// and before every forward <c>{name}</c> is recomputed as W / σ(W), with <paramref name="n_power_iterations"/>
        /// power-iteration steps in training mode only. state_dict keys are PyTorch's, so its checkpoints load.
        /// </summary>
        /// <param name="module">The layer (Conv, Linear, Embedding ...).</param>
        /// <param name="name">The parameter to normalize.</param>
        /// <param name="n_power_iterations">Power-iteration steps per training forward.</param>
        /// <param name="eps">Guards the vector normalizations against division by zero.</param>
        /// <param name="dim">The output dimension of the weight; default 0, or 1 for ConvTranspose.</param>
        public static T spectral_norm<T>(T module, string name = "weight", int n_power_iterations = 1, double eps = 1e-12, int? dim = null) where T : Module
        {
            var d = dim ?? (module is ConvTranspose2d ? 1 : 0);
            var norms = SpectralNorms.GetOrCreateValue(module);
            if (norms.ContainsKey(name)) throw new InvalidOperationException($"Cannot register two spectral_norm hooks on the same parameter {name}");
            if (n_power_iterations <= 0) throw new ArgumentException($"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}");
            if (!module.HasParameter(name) || module.GetTensor(name) is not { } weight)
                throw new ArgumentException($"{module.GetName()} has no parameter '{name}' to normalize");

            var fn = new SpectralNorm(name, n_power_iterations, d, eps);
            Tensor u, v;
            using (var scope = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var mat = fn.ReshapeWeightToMatrix(weight);
                var (h, w) = (mat.size(0), mat.size(1));
                // Random starting vectors, drawn exactly as PyTorch draws them (u first, then v).
                u = functional.normalize(torch.empty(new[] { h }, weight.dtype, weight.device).normal_(0, 1), dim: 0, eps: eps).MoveToOuterDisposeScope();
                v = functional.normalize(torch.empty(new[] { w }, weight.dtype, weight.device).normal_(0, 1), dim: 0, eps: eps).MoveToOuterDisposeScope();
            }
            module.delete_attribute(name);
            module.register_parameter(name + "_orig", weight);
            module.SetPlainTensor(name, weight.detach());
            module.register_buffer(name + "_u", u);
            module.register_buffer(name + "_v", v);
            var hook = module.register_forward_pre_hook(m => fn.Apply(m));
            var loadHook = module.register_load_state_dict_pre_hook(fn.UpgradeStateDict);
            norms[name] = (fn, hook, loadHook);
            return module;
        }

        /// <summary>Undoes <see cref="spectral_norm{T}"/>: <c>{name}</c> becomes a parameter again holding W / σ(W).</summary>
        public static T remove_spectral_norm<T>(T module, string name = "weight") where T : Module
        {
            if (!SpectralNorms.TryGetValue(module, out var norms) || !norms.Remove(name, out var entry))
                throw new ArgumentException($"spectral_norm of '{name}' not found in {module.GetName()}");
            entry.hook.remove();
            entry.loadHook.remove();
            Tensor weight;
            using (torch.no_grad())
            using (var scope = torch.NewDisposeScope())
                weight = entry.norm.ComputeWeight(module, false).detach().MoveToOuterDisposeScope();
            // The removed tensors are left to the GC: an optimizer may still hold weight_orig.
            module.delete_attribute(name);
            module.delete_attribute(name + "_u");
            module.delete_attribute(name + "_v");
            module.delete_attribute(name + "_orig");
            module.register_parameter(name, Parameter(weight));
            weight.Dispose();
            return module;
        }

        /// <summary>
        /// <see cref="remove_spectral_norm{T}"/> in place: <c>{name}_orig</c> is divided by σ(W) and becomes the parameter
        /// <c>{name}</c>, so no second copy of the weight exists even for a moment (DeOldify stable's middle convs hold
        /// 302 MB each). The same values; only for a module nothing else holds <c>{name}_orig</c> of (no optimizer).
        /// </summary>
        public static T remove_spectral_norm_<T>(T module, string name = "weight") where T : Module
        {
            if (!SpectralNorms.TryGetValue(module, out var norms) || !norms.Remove(name, out var entry))
                throw new ArgumentException($"spectral_norm of '{name}' not found in {module.GetName()}");
            entry.hook.remove();
            entry.loadHook.remove();
            var weight = module.GetTensor(name + "_orig")!;
            using (torch.no_grad())
            using (var scope = torch.NewDisposeScope())
                weight.div_(entry.norm.Sigma(module));
            foreach (var suffix in new[] { "", "_u", "_v", "_orig" }) module.delete_attribute(name + suffix);
            module.register_parameter(name, weight);
            return module;
        }

        /// <summary>The power-iteration state of one spectral-normalized parameter.</summary>
        private sealed class SpectralNorm
        {
            private readonly string name;
            private readonly int nPowerIterations;
            private readonly int dim;
            private readonly double eps;

            public SpectralNorm(string name, int nPowerIterations, int dim, double eps)
            {
                this.name = name;
                this.nPowerIterations = nPowerIterations;
                this.dim = dim;
                this.eps = eps;
            }

            /// <summary>The weight as (size(dim), rest): the output dimension first.</summary>
            public Tensor ReshapeWeightToMatrix(Tensor weight)
            {
                var mat = weight;
                if (dim != 0)
                {
                    var order = new List<long> { dim };
                    for (long i = 0; i < weight.dim(); i++) if (i != dim) order.Add(i);
                    mat = weight.permute(order.ToArray());
                }
                return mat.reshape(mat.size(0), -1);
            }

            /// <summary>Runs before every forward of the module.</summary>
            public void Apply(Module module)
            {
                Tensor weight;
                using (var scope = torch.NewDisposeScope()) weight = ComputeWeight(module, module.training).MoveToOuterDisposeScope();
                module.SetPlainTensor(name, weight);
            }

            /// <summary>
            /// Checkpoints saved before PyTorch 1.0 hold {name}, {name}_orig and {name}_u but no {name}_v: v is solved
            /// from u and σ = mean(orig / weight), as PyTorch's load hook does. A dict that already has orig, u and v
            /// (any safetensors export) is taken as the current format.
            /// </summary>
            public void UpgradeStateDict(Dictionary<string, Tensor> state, string prefix, List<string> missing)
            {
                var key = prefix + name;
                if (state.ContainsKey(key + "_orig") && state.ContainsKey(key + "_u") && state.ContainsKey(key + "_v") && !state.ContainsKey(key)) return;
                var absent = new[] { key + "_orig", key, key + "_u" }.Where(k => !state.ContainsKey(k)).ToList();
                if (absent.Count > 0)
                {
                    missing.AddRange(absent);
                    return;
                }
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                var orig = state[key + "_orig"];
                state.Remove(key, out var weight);
                var sigma = (orig / weight!).mean();
                var mat = ReshapeWeightToMatrix(orig);
                var u = state[key + "_u"];
                // v with u = normalize(W v) and u·W v = σ; the pseudo-inverse copes with a singular WᵀW.
                var v = mat.t().mm(mat).pinverse().mm(mat.t().mm(u.unsqueeze(1))).squeeze(1);
                v.mul_(sigma / u.dot(mat.mv(v)));
                state[key + "_v"] = v.MoveToOuterDisposeScope();
            }

            public Tensor ComputeWeight(Module module, bool doPowerIteration)
            {
                var weight = module.GetTensor(name + "_orig")!;
                var u = module.GetTensor(name + "_u")!;
                var v = module.GetTensor(name + "_v")!;
                var mat = ReshapeWeightToMatrix(weight);
                if (doPowerIteration)
                {
                    using (torch.no_grad())
                    {
                        for (var i = 0; i < nPowerIterations; i++)
                        {
                            // In place, so the buffers carry the estimate to the next step (PyTorch writes with out=).
                            v.copy_(functional.normalize(mat.t().mv(u), dim: 0, eps: eps));
                            u.copy_(functional.normalize(mat.mv(v), dim: 0, eps: eps));
                        }
                    }
                    // The graph below must not see the next step's in-place updates.
                    u = u.clone();
                    v = v.clone();
                }
                var sigma = u.dot(mat.mv(v));
                return weight.div(sigma);
            }

            /// <summary>σ(W) = uᵀ W v with the stored u and v (eval mode: no power iteration), as <see cref="ComputeWeight"/> divides by.</summary>
            public Tensor Sigma(Module module) =>
                module.GetTensor(name + "_u")!.dot(ReshapeWeightToMatrix(module.GetTensor(name + "_orig")!).mv(module.GetTensor(name + "_v")!));
        }

        /// <summary>
        /// Scales the gradients of <paramref name="parameters"/> so that their joint norm is at most
        /// <paramref name="max_norm"/>; returns the norm before clipping (PyTorch's arithmetic, coefficient clamped at 1).
        /// </summary>
        public static Tensor clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2.0, bool error_if_nonfinite = false)
        {
            using var scope = torch.NewDisposeScope();
            var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
            if (grads.Count == 0) return torch.tensor(0.0).MoveToOuterDisposeScope();
            var device = grads[0].device;
            Tensor total;
            if (double.IsPositiveInfinity(norm_type))
            {
                var norms = grads.Select(g => g.detach().abs().max().to(device)).ToList();
                total = norms.Count == 1 ? norms[0] : torch.stack(norms).max();
            }
            else
            {
                total = torch.stack(grads.Select(g => g.detach().norm(norm_type).to(device)).ToList()).norm(norm_type);
            }
            if (error_if_nonfinite && (total.isnan().item<bool>() || total.isinf().item<bool>()))
                throw new InvalidOperationException($"The total norm of order {PyRepr.Float(norm_type)} for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`");
            var coef = max_norm / (total + 1e-6);
            var clamped = coef.clamp(max: 1.0);
            foreach (var g in grads) g.detach().mul_(clamped.to(g.device));
            return total.MoveToOuterDisposeScope();
        }

        /// <summary>Clamps every gradient to [-clip_value, clip_value] in place.</summary>
        public static void clip_grad_value_(IEnumerable<Tensor> parameters, double clip_value)
        {
            foreach (var p in parameters)
            {
                using var g = p.grad;
                g?.clamp_(-clip_value, clip_value);
            }
        }

        /// <summary>All parameters flattened into one vector (and back with <see cref="vector_to_parameters"/>).</summary>
        public static Tensor parameters_to_vector(IEnumerable<Tensor> parameters)
        {
            using var scope = torch.NewDisposeScope();
            return torch.cat(parameters.Select(p => p.view(-1)).ToList()).MoveToOuterDisposeScope();
        }

        public static void vector_to_parameters(Tensor vec, IEnumerable<Tensor> parameters)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            long offset = 0;
            foreach (var p in parameters)
            {
                var n = p.numel();
                p.copy_(vec.narrow(0, offset, n).view_as(p));
                offset += n;
            }
        }
    }
}
