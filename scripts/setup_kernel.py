"""Set up the course's Jupyter kernel in the running environment.

Run with the environment's Python (``make env`` does it; Binder's ``postBuild`` too)::

    python scripts/setup_kernel.py           # kernel settings + kernel in this environment
    python scripts/setup_kernel.py --user    # also register the kernel for your own Jupyter

1. Copies scripts/ipython_kernel_config.py to ``{sys.prefix}/etc/ipython/``, a
   folder every IPython kernel started from this environment reads (quiet
   TensorFlow, the book's numerics).
2. Registers this environment's Python as the Jupyter kernel ``mlpabc``,
   shown as "Python (MLP ABC)", the kernel every chapter names in its
   metadata: ``ipykernel install --sys-prefix`` (a Jupyter of this
   environment finds it), and with ``--user`` also in the user's Jupyter
   folder, so a Jupyter installed elsewhere (another environment, a system
   JupyterLab) offers it too. The one command for the second case, from a
   checkout: ``.venv/bin/python -m ipykernel install --user --name mlpabc
   --display-name "Python (MLP ABC)"``.
"""

import argparse
import shutil
import sys
from pathlib import Path

KERNEL_NAME = "mlpabc"
DISPLAY_NAME = "Python (MLP ABC)"


def install_settings() -> None:
    src = Path(__file__).with_name("ipython_kernel_config.py")
    dest = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)  # a new file, never a write through a hard link
    shutil.copyfile(src, dest)
    print("IPython kernel settings installed in <environment>/etc/ipython/")


def register_kernel(user: bool) -> None:
    from ipykernel.kernelspec import install

    install(prefix=sys.prefix, kernel_name=KERNEL_NAME, display_name=DISPLAY_NAME)
    where = ["this environment"]
    if user:
        install(user=True, kernel_name=KERNEL_NAME, display_name=DISPLAY_NAME)
        where.append("your user's Jupyter")
    print(f'Jupyter kernel "{DISPLAY_NAME}" ({KERNEL_NAME}) registered in {" and ".join(where)}')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--user", action="store_true", help="also register the kernel for the user's Jupyter"
    )
    args = parser.parse_args(argv)
    install_settings()
    register_kernel(args.user)
    return 0


if __name__ == "__main__":
    sys.exit(main())
