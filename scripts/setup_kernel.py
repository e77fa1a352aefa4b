"""Install the project's IPython kernel settings into the running environment.

Copies scripts/ipython_kernel_config.py to ``{sys.prefix}/etc/ipython/``, a
folder every IPython kernel started from this environment reads.
"""

import shutil
import sys
from pathlib import Path

src = Path(__file__).with_name("ipython_kernel_config.py")
dest = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
dest.parent.mkdir(parents=True, exist_ok=True)
shutil.copyfile(src, dest)
print("IPython kernel settings installed in <environment>/etc/ipython/")
