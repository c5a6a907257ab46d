#!/usr/bin/env python3
"""Developer helper: build a Polyglot (.NET Interactive, C#) .ipynb from a plain-text outline.
Cells are separated by lines "#%% md" or "#%% cs". Usage: python3 build/mknb.py outline.txt notebooks/NN-name.ipynb"""
import json, sys
src, dst = sys.argv[1], sys.argv[2]
cells, kind, buf = [], None, []
def flush():
    if kind is None: return
    text = "\n".join(buf).strip("\n")
    lines = [l + "\n" for l in text.split("\n")]
    if lines: lines[-1] = lines[-1][:-1]
    if kind == "md":
        cells.append({"cell_type": "markdown", "metadata": {}, "source": lines})
    else:
        cells.append({"cell_type": "code", "execution_count": None,
                      "metadata": {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}},
                      "outputs": [], "source": lines})
for line in open(src).read().split("\n"):
    if line.startswith("#%% "):
        flush(); kind, buf = line[4:].strip(), []
    else:
        buf.append(line)
flush()
nb = {"cells": cells, "metadata": {
        "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
        "language_info": {"name": "polyglot-notebook"},
        "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}, {"aliases": [], "name": "markdown"}]}}},
      "nbformat": 4, "nbformat_minor": 5}
json.dump(nb, open(dst, "w"), indent=1, ensure_ascii=False); open(dst, "a").write("\n")
