"""Settings shared by the package tests and the nbval runs over the chapters.

Module-level assignments here reach the notebook kernels nbval starts
(a kernel inherits pytest's environment), so outputs are produced under the
same settings as ``make execute`` uses (see scripts/ipython_kernel_config.py).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.pop("MPLBACKEND", None)
