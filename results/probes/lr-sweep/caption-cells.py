#!/usr/bin/env python3
"""Per-cell accuracy of generated glyph captions: parses every "a COLOUR KIND at row R column C" item of each predicted
caption (the first mention of a cell counts) and compares it with the same cell in the references (`mmi eval --task
glyph-caption --out DIR` writes both files). Usage: caption-cells.py PREDICTIONS.json REFERENCES.json"""
import json, re, sys

ITEM = re.compile(r"an? (\w+) (letter \w+|\w+) (?:at|in) (?:the cell at )?row (\d) column (\d)")

def cells(text):
    found = {}
    for m in ITEM.finditer(text):
        found.setdefault((int(m.group(3)), int(m.group(4))), (m.group(1), m.group(2)))
    return found

predictions = json.load(open(sys.argv[1]))
references = {}
for a in json.load(open(sys.argv[2]))["annotations"]:
    for cell, item in cells(a["caption"]).items():
        references.setdefault(a["image_id"], {}).setdefault(cell, item)
n = colour = kind = per_caption = 0
for p in predictions:
    truth, said = references[p["image_id"]], cells(p["caption"])
    per_caption += len(said)
    for cell, (c, k) in said.items():
        if cell in truth:
            n += 1
            colour += c == truth[cell][0]
            kind += k == truth[cell][1]
print(f"{len(predictions)} captions, {per_caption / len(predictions):.1f} cells named per caption, {n} scored: "
      f"colour {100 * colour / n:.1f} %, glyph {100 * kind / n:.1f} %")
