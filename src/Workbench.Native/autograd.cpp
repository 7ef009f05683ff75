// Autograd: requires_grad, backward, .grad, grad mode, and autograd.grad (create_graph for penalties).
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "wb_common.h"

WB_API int wb_requires_grad(Tensor t) { return t->requires_grad(); }
WB_API int wb_set_requires_grad(Tensor t, int value) { WB_STATUS(t->set_requires_grad(value != 0)) }
WB_API int wb_is_leaf(Tensor t) { return t->is_leaf(); }
WB_API int wb_retain_grad(Tensor t) { WB_STATUS(t->retain_grad()) }
WB_API Tensor wb_detach(Tensor t) { WB_TENSOR(t->detach()) }
WB_API int wb_detach_(Tensor t) { WB_STATUS(t->detach_()) }

// Returns null without an error when the tensor has no gradient yet (PyTorch's None).
WB_API Tensor wb_grad(Tensor t) {
  try {
    const auto& g = t->grad();
    return g.defined() ? wb::wrap(g) : nullptr;
  }
  WB_CATCH(nullptr)
}
WB_API int wb_set_grad(Tensor t, Tensor g) { WB_STATUS(t->mutable_grad() = g ? *g : at::Tensor()) }

WB_API const char* wb_grad_fn_name(Tensor t) {
  thread_local std::string name;
  auto fn = t->grad_fn();
  if (!fn) return nullptr;
  name = fn->name();
  return name.c_str();
}

WB_API int wb_backward(Tensor t, Tensor grad, int retain_graph, int create_graph) {
  WB_STATUS(t->backward(grad ? *grad : at::Tensor(), retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0), create_graph != 0))
}

// Gradients of outputs w.r.t. inputs; unused inputs come back as null handles when allowed.
WB_API Tensor* wb_autograd_grad(const Tensor* outputs, int n_out, const Tensor* inputs, int n_in, const Tensor* grad_outputs, int n_grad,
                                int retain_graph, int create_graph, int allow_unused, int* count) {
  try {
    std::vector<at::Tensor> gos;
    for (int k = 0; k < n_grad; ++k) gos.push_back(grad_outputs[k] ? *grad_outputs[k] : at::Tensor());
    auto grads = torch::autograd::grad(wb::tensors(outputs, n_out), wb::tensors(inputs, n_in), gos,
                                       retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0), create_graph != 0,
                                       allow_unused != 0);
    *count = static_cast<int>(grads.size());
    auto* out = static_cast<Tensor*>(std::malloc(sizeof(Tensor) * (grads.empty() ? 1 : grads.size())));
    for (size_t k = 0; k < grads.size(); ++k) out[k] = grads[k].defined() ? wb::wrap(grads[k]) : nullptr;
    return out;
  }
  WB_CATCH(nullptr)
}

// Grad mode is thread-local in libtorch, as in PyTorch; these return the previous state so scopes nest.
WB_API int wb_is_grad_enabled() { return c10::GradMode::is_enabled(); }
WB_API int wb_set_grad_enabled(int enabled) {
  int previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return previous;
}
