"""The paper-sized full-batch step in PyTorch: the peer that TorchSharp's step is compared with.

250 points x 784 inputs, a 784-784-1 bias-free ReLU network, init scale 0.01, summed exponential loss,
one update of each algorithm. Prints one JSON line: milliseconds per step (median of rounds) per algorithm.
"""
import json
import statistics
import sys
import time

import torch

threads = int(sys.argv[1])
steps = int(sys.argv[2])
rounds = int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
x = torch.rand(250, 784)
y = torch.randint(0, 2, (250,)).float() * 2 - 1
w1 = (torch.randn(784, 784) * 0.01).requires_grad_()
w2 = (torch.randn(1, 784) * 0.01).requires_grad_()
params = [w1, w2]
adam = torch.optim.Adam(params, lr=1e-4, eps=0.0)
lr = 1e-4


def loss_and_grad():
    for p in params:
        p.grad = None
    f = (torch.relu(x @ w1.t()) @ w2.t()).squeeze(1)
    loss = torch.exp(-y * f).sum()
    loss.backward()
    return loss


@torch.no_grad()
def sign():
    with torch.enable_grad():
        loss_and_grad()
    l1 = sum(p.grad.abs().sum() for p in params)
    for p in params:
        p.sub_(lr * l1 * p.grad.sign())


@torch.no_grad()
def coordinate():
    with torch.enable_grad():
        loss_and_grad()
    flat = torch.cat([p.grad.reshape(-1) for p in params])
    i = int(flat.abs().argmax())
    for p in params:
        n = p.numel()
        if i < n:
            p.view(-1)[i] -= lr * p.grad.view(-1)[i]
            break
        i -= n


def adam_step():
    loss_and_grad()
    adam.step()


def gd_inner():
    loss_and_grad()
    with torch.no_grad():
        for p in params:
            p.sub_(lr * p.grad)


algorithms = {"gd": gd_inner, "sign": sign, "coordinate": coordinate, "adam": adam_step}
def loaded_libraries():
    names = []
    for line in open("/proc/self/maps"):
        path = line.split()[-1] if len(line.split()) > 5 else ""
        name = "/".join(path.split("/")[-2:]) if "openblas" in path else path.rsplit("/", 1)[-1]
        if path.startswith("/") and any(k in name.lower() for k in ("blas", "mkl", "libgomp", "libiomp", "torch_cpu")) and name not in names:
            names.append(name)
    return ", ".join(names)


def openblas_config():
    import ctypes
    import ctypes.util
    for path in [line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line]:
        library = ctypes.CDLL(path)
        library.openblas_get_config.restype = ctypes.c_char_p
        return library.openblas_get_config().decode()
    return "no OpenBLAS"


result = {"torch": torch.__version__, "threads": threads}
for name, step in algorithms.items():
    for _ in range(5):
        step()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        samples.append((time.perf_counter() - start) / steps * 1000)
    result[name] = statistics.median(samples)
import os
result["settings"] = (
    f"torch {torch.__version__}; torch threads {torch.get_num_threads()}, interop threads {torch.get_num_interop_threads()}; "
    f"OPENBLAS_NUM_THREADS {os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, OMP_NUM_THREADS {os.environ.get('OMP_NUM_THREADS', 'unset')}; "
    f"BLAS {openblas_config()}; loaded: {loaded_libraries()}"
)
print(json.dumps(result))
