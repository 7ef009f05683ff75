"""Reference trajectories of torch.optim optimizers and lr schedulers (PyTorch 1.13, single-tensor path).

Usage: optim_reference.py OUTDIR

Optimizers: for each configuration in OPTIMIZERS, two parameters (4x3 and 3) start from fixed values and
take STEPS steps with a fixed sequence of gradients (the second parameter gets none at step NO_GRAD_STEP,
so it must be skipped). OUTDIR/optim_<name>.safetensors holds init.<i>, grad.<step>.<i>, param.<step>.<i>
(after the step), the state_dict after MID_STEP steps (mid.state.<i>.<key>) and at the end
(state.<i>.<key>); its metadata holds the param_groups JSON of both. OUTDIR/optimizers.json lists the configs.

Schedulers: OUTDIR/schedulers.json maps each configuration in SCHEDULERS to its lrs per group (and
momentum or beta1 where OneCycleLR cycles it) after construction and after each of its steps.
"""
import json
import os
import sys

import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save  # noqa: E402

STEPS = 6
MID_STEP = 3
NO_GRAD_STEP = 2
GRAD_SCALES = [1.0, 0.1, 3.0, 0.5, 2.0, 0.05]

# name -> (class, constructor kwargs, per-group overrides or None for a single group)
OPTIMIZERS = {
    "sgd_plain": ("SGD", {"lr": 0.1}, None),
    "sgd_momentum": ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}, None),
    "sgd_nesterov": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, None),
    "sgd_weight_decay": ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}, None),
    "sgd_maximize": ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.02, "maximize": True}, None),
    "adam": ("Adam", {"lr": 1e-2}, None),
    "adam_amsgrad": ("Adam", {"lr": 1e-2, "amsgrad": True}, None),
    "adam_weight_decay": ("Adam", {"lr": 1e-2, "weight_decay": 0.1}, None),
    "adam_betas_eps": ("Adam", {"lr": 3e-3, "betas": [0.5, 0.9], "eps": 1e-3, "maximize": True}, None),
    "adamw": ("AdamW", {"lr": 1e-2, "weight_decay": 0.1}, None),
    "adamw_amsgrad": ("AdamW", {"lr": 1e-2, "amsgrad": True}, None),
    "adam_two_groups": ("Adam", {"lr": 1e-3, "betas": [0.0, 0.99]}, [{"lr": 1e-4}, {"lr": 4e-4, "betas": [0.5, 0.999]}]),
    "sgd_two_groups": ("SGD", {"lr": 0.1, "momentum": 0.9}, [{"lr": 0.01}, {"momentum": 0.5, "weight_decay": 0.1}]),
}


def make_optimizer(kind, kwargs, groups, params):
    kwargs = dict(kwargs)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    cls = getattr(torch.optim, kind)
    if groups is None:
        return cls(params, **kwargs)
    packed = []
    for p, g in zip(params, groups):
        g = dict(g)
        if "betas" in g:
            g["betas"] = tuple(g["betas"])
        packed.append({"params": [p], **g})
    return cls(packed, **kwargs)


def flat_state(prefix, sd):
    out = {}
    for index, entry in sd["state"].items():
        for key, value in entry.items():
            if value is not None:
                out[f"{prefix}state.{index}.{key}"] = value.detach().clone()
    return out


def groups_json(sd):
    return json.dumps({"param_groups": sd["param_groups"]})


def run_optimizers(out):
    gen = torch.Generator().manual_seed(1234)
    init = [torch.randn(4, 3, generator=gen), torch.randn(3, generator=gen)]
    grads = [[torch.randn(p.shape, generator=gen) * GRAD_SCALES[s] for p in init] for s in range(STEPS)]
    for name, (kind, kwargs, groups) in OPTIMIZERS.items():
        params = [p.clone().requires_grad_(True) for p in init]
        opt = make_optimizer(kind, kwargs, groups, params)
        tensors = {f"init.{i}": p for i, p in enumerate(init)}
        meta = {}
        for s in range(STEPS):
            for i, p in enumerate(params):
                if i == 1 and s == NO_GRAD_STEP:
                    p.grad = None
                    continue
                p.grad = grads[s][i].clone()
                tensors[f"grad.{s}.{i}"] = grads[s][i]
            opt.step()
            for i, p in enumerate(params):
                tensors[f"param.{s}.{i}"] = p.detach().clone()
            if s + 1 == MID_STEP:
                sd = opt.state_dict()
                tensors.update(flat_state("mid.", sd))
                meta["mid_param_groups"] = groups_json(sd)
        sd = opt.state_dict()
        tensors.update(flat_state("", sd))
        meta["param_groups"] = groups_json(sd)
        save(os.path.join(out, f"optim_{name}.safetensors"), tensors, meta)
    with open(os.path.join(out, "optimizers.json"), "w") as f:
        json.dump({"steps": STEPS, "mid_step": MID_STEP, "no_grad_step": NO_GRAD_STEP,
                   "configs": {n: {"kind": k, "kwargs": kw, "groups": g} for n, (k, kw, g) in OPTIMIZERS.items()}}, f, indent=1)


def sched_sgd(lrs, momentum=0.0):
    ps = [torch.zeros(1, requires_grad=True) for _ in lrs]
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], lr=lrs[0], momentum=momentum)


def sched_adam(lrs):
    ps = [torch.zeros(1, requires_grad=True) for _ in lrs]
    return torch.optim.Adam([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], lr=lrs[0])


# name -> (optimizer factory, scheduler factory, steps after construction)
SCHEDULERS = {
    "step": (lambda: sched_sgd([0.1, 0.01]), lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5), 50),
    "multistep": (lambda: sched_sgd([0.1]), lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[10, 25, 25, 40], gamma=0.3), 50),
    "cosine": (lambda: sched_sgd([0.1, 0.02]), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=1e-4), 50),
    "linear": (lambda: sched_sgd([0.1]), lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=10), 50),
    "lambda": (lambda: sched_sgd([0.1]), lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 0.95 ** e), 50),
    "onecycle_adam": (lambda: sched_adam([1e-3]), lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.01, total_steps=50), 49),
    "onecycle_sgd_three_phase_linear": (
        lambda: sched_sgd([0.1, 0.1], momentum=0.9),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=[0.05, 0.2], epochs=5, steps_per_epoch=10, pct_start=0.25,
                                                      anneal_strategy="linear", three_phase=True), 49),
    "warmup_cosine": (
        lambda: sched_sgd([0.1]),
        lambda o: torch.optim.lr_scheduler.SequentialLR(o, [torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=5),
                                                            torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=45)], milestones=[5]), 50),
}


def run_schedulers(out):
    result = {}
    for name, (make_opt, make_sched, steps) in SCHEDULERS.items():
        opt = make_opt()
        sched = make_sched(opt)
        lrs, momenta = [], []

        def record():
            lrs.append(list(sched.get_last_lr()))
            momenta.append([g["betas"][0] if "betas" in g else g.get("momentum", 0.0) for g in opt.param_groups])

        record()
        for _ in range(steps):
            opt.step()
            sched.step()
            record()
        result[name] = {"lrs": lrs, "momentum": momenta}
    with open(os.path.join(out, "schedulers.json"), "w") as f:
        json.dump(result, f)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", message="The epoch parameter")
    run_optimizers(out)
    run_schedulers(out)


if __name__ == "__main__":
    main()
