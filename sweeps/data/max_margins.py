#!/usr/bin/python3
"""Prints the maximum normalized margins of a linear separator (through the origin) of a CSV's points in
l1, l2 and l-infinity: features, then a +1/-1 label, a header row first. Needs numpy and scipy
(python3-scipy); a cross-check only, never a runtime dependency.

    /usr/bin/python3 sweeps/data/max_margins.py FILE.csv    # prints: l1 M1 l2 M2 linf Minf
"""
import sys

import numpy as np

from make_linear_separable import max_margin_l2, max_margin_lp

data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
x, y = data[:, :-1].astype(np.float32).astype(np.float64), data[:, -1]
print(f"l1 {max_margin_lp(x, y, 1):.9g} l2 {max_margin_l2(x, y):.9g} linf {max_margin_lp(x, y, np.inf):.9g}")
