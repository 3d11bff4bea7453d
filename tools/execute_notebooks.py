"""Execute the book's notebooks in parallel into Jupyter Book's execution cache.

`jupyter-book build` executes a notebook when Sphinx reads it, one notebook at a time. Every
chapter runs on one thread (`torch.set_num_threads(1)` in its setup), so on a machine with n
cores n of them can run at once. Run before the build (`make book` does), this script executes
the notebooks the build would execute (the `.ipynb` files of `_toc.yml` that `_config.yml`'s
`execute.exclude_patterns` does not exclude and the cache does not hold yet) in one process per
CPU, and stores each executed notebook in the cache exactly as myst-nb does (jupyter-cache,
keyed by the notebook's code; the same timeout and working folder). The build then finds every
one cached ("Using cached notebook") and only renders.

A notebook that fails here is not cached: the build executes it again and reports the error as
it always did, so nothing is hidden. Usage: `python tools/execute_notebooks.py [--jobs N]`.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files(toc: dict[str, Any]) -> list[str]:
    """Every `file:` entry of a Jupyter Book table of contents, in reading order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    found.append(str(node[key]))
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def executed_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks `jupyter-book build` executes: those of the toc not excluded from
    execution by `_config.yml`."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    excluded = config.get("execute", {}).get("exclude_patterns", [])
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    out = []
    for name in toc_files(toc):
        path = root / f"{name}.ipynb"
        relative = path.relative_to(root).as_posix()
        if path.exists() and not any(fnmatch.fnmatch(relative, p) for p in excluded):
            out.append(path)
    return out


def _execute(path: str, timeout: int, allow_errors: bool) -> tuple[str, Any, float, str | None]:
    """In a worker: (path, executed notebook, seconds, error text or None)."""
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(
        nb,
        cwd=str(Path(path).parent),
        allow_errors=allow_errors,
        timeout=timeout,
        meta_override=True,
    )
    error = None if result.err is None else f"{type(result.err).__name__}: {result.err}"[-2000:]
    return path, nb, result.time, error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder")
    args = parser.parse_args(argv)
    root = args.root.resolve()

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    execute = yaml.safe_load((root / "_config.yml").read_text()).get("execute", {})
    cache = get_cache(str(root / execute.get("cache", "_build/.jupyter_cache")))
    todo = []
    for path in executed_notebooks(root):
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            todo.append(path)
    if not todo:
        print("execute_notebooks: every notebook is cached")
        return 0
    print(f"execute_notebooks: {len(todo)} notebooks, {args.jobs} at a time")
    start, failed = time.monotonic(), []
    timeout, allow_errors = int(execute.get("timeout", 30)), bool(execute.get("allow_errors"))
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        futures = [pool.submit(_execute, str(p), timeout, allow_errors) for p in todo]
        for future in as_completed(futures):
            path, nb, seconds, error = future.result()
            name = Path(path).relative_to(root)
            if error is not None:  # not cached: the build runs it again and reports it
                failed.append(name)
                print(f"  {name}: FAILED after {seconds:.1f} s ({error.splitlines()[0][:200]})")
                continue
            record = cache.add_nb_to_project(path)
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                check_validity=False,
                overwrite=True,
            )
            print(f"  {name}: {seconds:.1f} s")
    print(
        f"execute_notebooks: {len(todo) - len(failed)} cached, {len(failed)} failed, "
        f"{time.monotonic() - start:.0f} s"
    )
    return 0  # failures are the build's to report


if __name__ == "__main__":
    sys.exit(main())
