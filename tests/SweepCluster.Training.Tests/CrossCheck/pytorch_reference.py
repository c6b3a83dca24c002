"""An independent PyTorch run of one trial, for the cross-check test.

Reads the trial's initial parameters from the tool's own training state (safetensors, parsed here with
nothing but the standard library and torch), the training set from a CSV (features, then a +1/-1 label),
and a JSON config; applies the update rules as the paper writes them; prints one JSON line per checkpoint.
The loss head is in float64 from float32 outputs and the network and its gradient in float32, as in the
tool, so the two should differ only by the rounding of summation order.
"""
import json
import math
import struct
import sys

import torch

torch.set_num_threads(1)
config = json.load(open(sys.argv[1]))


def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "U8": torch.uint8}
    tensors = {}
    for key, meta in header.items():
        if key == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        data = bytearray(raw[8 + n + start:8 + n + end])
        tensors[key] = torch.frombuffer(data, dtype=dtypes[meta["dtype"]]).reshape(meta["shape"]) if data else torch.zeros(meta["shape"], dtype=dtypes[meta["dtype"]])
    return tensors


state = load_safetensors(config["state"])
layers = [state[f"layers.{l}.weight"].clone() for l in range(config["depth"])]
rows = [list(map(float, line.split(","))) for line in open(config["data"]).read().split("\n")[1:] if line.strip()]
x = torch.tensor([r[:-1] for r in rows], dtype=torch.float32)
y = torch.tensor([r[-1] for r in rows], dtype=torch.float64)
depth = config["depth"]
algorithm, form, schedule = config["algorithm"], config["form"], config["schedule"]
lr = config["lr"] * config.get("lr_factor", 1.0)
logistic = config["loss"] == "logistic"


def forward(ws, grad=False):
    a = x
    for l, w in enumerate(ws):
        a = a @ w.t()
        if l < len(ws) - 1:
            a = torch.relu(a)
    return a


def head(out):
    f = out.detach().double().squeeze(1).requires_grad_()
    q = y * f
    log_per_point = torch.nn.functional.softplus(-q).log() if logistic else -q
    log_loss = torch.logsumexp(log_per_point, 0)
    log_loss.backward()
    return log_loss.item(), q.detach(), f.grad.float().unsqueeze(1)


def gradient(ws):
    params = [w.clone().requires_grad_() for w in ws]
    out = forward(params)
    log_loss, q, out_grad = head(out)
    out.backward(out_grad)
    return log_loss, q, torch.cat([p.grad.reshape(-1) for p in params])


def smoothed_numerator(log_loss):
    if not logistic:
        return -log_loss
    total = math.exp(log_loss)
    return -math.log(math.expm1(total))


def lp(v, p):
    v = v.double().abs()
    if p == math.inf:
        return v.max().item()
    return v.pow(p).sum().item() ** (1 / p)


# The algorithm's own norm, and its dual (1/p + 1/q = 1).
own_p = {"gd": 2.0, "coordinate": 1.0, "steepest": config["p"]}.get(algorithm, math.inf)
own_q = 1.0 if own_p == math.inf else math.inf if own_p == 1 else own_p / (own_p - 1)


def checkpoint(step, log_loss, q, theta, g):
    magnitude = theta.abs()
    norms = {"l1": magnitude.double().sum().item(), "l2": math.sqrt(magnitude.double().square().sum().item()), "linf": magnitude.max().item()}
    point = {"step": step, "loss": math.exp(log_loss), "norm_l1": norms["l1"], "norm_l2": norms["l2"], "norm_linf": norms["linf"]}
    minimum, smoothed = q.min().item(), smoothed_numerator(log_loss)
    for name, norm in norms.items():
        point[f"margin_{name}"] = minimum / norm ** depth
        point[f"smoothed_margin_{name}"] = smoothed / norm ** depth
    own = lp(theta, own_p)
    point["margin_own"] = minimum / own ** depth
    point["smoothed_margin_own"] = smoothed / own ** depth
    # Alignment of theta with -grad L in each norm, against the dual norm of the gradient.
    descent = -(theta.double() * g.double()).sum().item()
    for name, p, dual in (("l1", 1.0, math.inf), ("l2", 2.0, 2.0), ("linf", math.inf, 1.0), ("own", own_p, own_q)):
        point[f"alignment_{name}"] = descent / (lp(theta, p) * lp(g, dual))
    print(json.dumps(point))


sizes = [w.numel() for w in layers]
theta = torch.cat([w.reshape(-1) for w in layers])
m = torch.zeros_like(theta)
v = torch.zeros_like(theta)


def unflatten(flat):
    out, offset = [], 0
    for w, n in zip(layers, sizes):
        out.append(flat[offset:offset + n].view(w.shape))
        offset += n
    return out


for t in range(config["steps"] + 1):
    log_loss, q, g = gradient(unflatten(theta))
    if t % config["every"] == 0 or t == config["steps"]:
        checkpoint(t, log_loss, q, theta, g)
    if t == config["steps"]:
        break
    with torch.no_grad():
        loss = math.exp(log_loss)
        factor = loss if (form, schedule) == ("dual", "constant") else 1 / loss if (form, schedule) == ("normalized", "loss_scaled") else 1.0
        size = lr * factor
        if algorithm == "gd":
            if form == "dual":
                theta.add_(g, alpha=-size)
            else:
                theta.add_(g, alpha=-size / math.sqrt(g.double().square().sum().item()))
        elif algorithm == "sign":
            scale = g.abs().double().sum().item() if form == "dual" else 1.0
            theta.add_(g.sign(), alpha=-size * scale)
        elif algorithm == "coordinate":
            i = int(g.abs().argmax())
            gi = g[i].item()
            theta[i] -= size * (gi if form == "dual" else math.copysign(1.0, gi))
        elif algorithm == "steepest":
            qexp = config["p"] / (config["p"] - 1)
            g64 = g.double()
            norm_q = g64.abs().pow(qexp).sum().pow(1 / qexp).item()
            unit = g64.sign() * (g64.abs() / norm_q).pow(qexp - 1)
            theta.sub_((unit * (size * (norm_q if form == "dual" else 1.0))).float())
        elif algorithm == "adam":
            beta1, beta2, eps = config["beta1"], config["beta2"], config["eps"]
            raw = g * loss
            m.mul_(beta1).add_(raw, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(raw, raw, value=1 - beta2)
            step_lr = lr / loss if schedule == "loss_scaled" else lr
            denominator = v.sqrt() / math.sqrt(1 - beta2 ** (t + 1)) + eps
            theta.add_(torch.nan_to_num(m / denominator, 0, 0, 0), alpha=-step_lr / (1 - beta1 ** (t + 1)))
