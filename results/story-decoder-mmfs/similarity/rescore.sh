#!/bin/bash
# The image similarity of the committed last-frame samples with the committed 32-px small encoder (what `mmi score images`
# and, since 2026-12-07, StoryEvaluation use): each run's generated last frames against the real ones, and the real
# previous frames against the real ones (what copying scores). Run from the repository root; writes
# results/story-decoder-mmfs/similarity/{run}-{generated,previous}.json.
set -e
out=results/story-decoder-mmfs/similarity
work=$(mktemp -d)
for d in results/story-decoder-mmfs/*-step600/; do
  n=$(basename "$d"); w=$work/$n; mkdir -p "$w/gen" "$w/ref" "$w/prev"
  for g in "$d"*-generated.png; do
    b=$(basename "$g" -generated.png); i=${b%%-f*}; k=${b##*-f}
    cp "$g" "$w/gen/$i.png"; cp "$d$i-f$k-real.png" "$w/ref/$i.png"; cp "$d$i-f$((k-1))-real.png" "$w/prev/$i.png"
  done
  dotnet run --project src/MMInterleaved.Cli -- score images --grid 2 --generated "$w/gen" --references "$w/ref" > "$out/$n-generated.json"
  dotnet run --project src/MMInterleaved.Cli -- score images --grid 2 --generated "$w/prev" --references "$w/ref" > "$out/$n-previous.json"
done
rm -rf "$work"
