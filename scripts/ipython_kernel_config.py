# IPython kernel settings for MLP ABC, installed by `make` into
# .venv/etc/ipython/ipython_kernel_config.py so that every kernel of the
# project's environment (JupyterLab, `make execute`, nbval) uses them.
import os

# Quieter TensorFlow, and the same numerics when outputs are made and checked.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

# TensorFlow's C++ libraries write log lines straight to file descriptor 2
# before any setting is read; no environment variable removes them. With fd
# capture off they go to the kernel's own stderr (the terminal), never into a
# cell's outputs. Python-level stderr and warnings are still shown in cells.
c = get_config()  # noqa: F821 (provided by IPython when it loads this file)
c.IPKernelApp.capture_fd_output = False
