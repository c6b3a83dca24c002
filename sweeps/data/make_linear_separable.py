#!/usr/bin/python3
"""Writes sweeps/data/linear-separable.csv (the data of sweeps/linear-separable.yaml) and prints the
maximum normalized margins of a linear separator in l1, l2 and l-infinity, the values each flavor of
steepest descent should approach (docs/reproduction.md). Needs numpy and scipy (python3-scipy);
a cross-check only, never a runtime dependency.

    /usr/bin/python3 sweeps/data/make_linear_separable.py            # prints the maximum margins
    /usr/bin/python3 sweeps/data/make_linear_separable.py --write    # (re)writes the CSV, then prints them
"""
import pathlib
import sys

import numpy as np
from scipy.optimize import linprog, minimize

CSV = pathlib.Path(__file__).with_name("linear-separable.csv")


def make(n=100, d=10, gap=0.3, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    xs, ys = [], []
    while len(xs) < n:
        x = rng.standard_normal(d)
        s = x @ w
        if abs(s) >= gap:
            xs.append(x)
            ys.append(1.0 if s > 0 else -1.0)
    return np.array(xs), np.array(ys)


def max_margin_lp(x, y, p):
    """max_w min_i y_i w.x_i / ||w||_p for p = 1 or inf, as a linear program in (w = u - v, t)."""
    n, d = x.shape
    a = y[:, None] * x
    # variables: u (d), v (d), t; maximize t
    c = np.zeros(2 * d + 1)
    c[-1] = -1
    a_ub = np.hstack([-a, a, np.ones((n, 1))])  # t - y_i (u - v).x_i <= 0
    b_ub = np.zeros(n)
    if p == 1:
        a_ub = np.vstack([a_ub, np.concatenate([np.ones(2 * d), [0]])])  # sum(u + v) <= 1
        b_ub = np.append(b_ub, 1)
        bounds = [(0, None)] * (2 * d) + [(None, None)]
    else:
        bounds = [(0, 1)] * (2 * d) + [(None, None)]  # |w_j| <= 1 (u, v in [0, 1])
    result = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    return -result.fun


def max_margin_l2(x, y):
    """Hard-margin SVM without bias: min ||w||^2 s.t. y_i w.x_i >= 1; the margin is 1 / ||w||."""
    a = y[:, None] * x
    w0 = np.linalg.lstsq(a, np.ones(len(y)), rcond=None)[0] * 2
    result = minimize(lambda w: w @ w, w0, jac=lambda w: 2 * w, constraints=[{"type": "ineq", "fun": lambda w: a @ w - 1, "jac": lambda w: a}],
                      method="SLSQP", options={"maxiter": 1000, "ftol": 1e-12})
    return 1 / np.linalg.norm(result.x)


if __name__ == "__main__":
    if "--write" in sys.argv:
        x, y = make()
        with CSV.open("w") as f:
            f.write(",".join([f"x{j}" for j in range(x.shape[1])] + ["label"]) + "\n")
            for xi, yi in zip(x, y):
                f.write(",".join(f"{v:.9g}" for v in xi) + f",{int(yi)}\n")
    data = np.loadtxt(CSV, delimiter=",", skiprows=1)
    x, y = data[:, :-1].astype(np.float32).astype(np.float64), data[:, -1]
    print(f"max margin l1 {max_margin_lp(x, y, 1):.6g}  l2 {max_margin_l2(x, y):.6g}  linf {max_margin_lp(x, y, np.inf):.6g}")
