#!/usr/bin/env bash
# Regenerates the measured pages' sources from the current code: docs/results/*.md (tables and full outputs of the
# sample's modes and of the benchmarks) and docs/images/*.png (the sample's plots), then the options table of
# docs/options.md. Takes a few hours on a 2-core machine; CI does not run it. Each results file starts with its command,
# the date, the machine and its load average, so run it on a quiet machine and copy the figures into docs/*.md.
# Fashion-MNIST steps run when Debian's dataset-fashion-mnist is installed; the training bench compares with PyTorch
# when the reference script it names is present.
set -euo pipefail
cd "$(dirname "$0")/.."
results=docs/results
images=docs/images
mkdir -p "$results" "$images"

dotnet build MLNet.BatchNorm.sln -c Release --nologo -v quiet
sample=(dotnet samples/MnistPipeline/bin/Release/net10.0/MnistPipeline.dll)
bench=(dotnet bench/bin/Release/net10.0/MLNet.BatchNorm.Bench.dll)
fashion=false
[ -d /usr/share/datasets/fashion-mnist ] && fashion=true

# The processor's name with its family and model: a VM's name alone ("AMD EPYC") does not tell its generation, and the
# generation changes the speed figures (Zen 4 runs 512-bit vectors at half Zen 5's rate).
cpuinfo() { grep -m1 "^$1[[:space:]]*:" /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'; }
cpu_name() { echo "$(cpuinfo 'model name') (family $(cpuinfo 'cpu family'), model $(cpuinfo model))"; }

# run NAME COMMAND...: writes docs/results/NAME.md with a header, then the command's output.
run() {
  local name=$1
  shift
  local file="$results/$name.md"
  echo "== $name: $*"
  {
    echo "# $name"
    echo
    echo "Command: \`$*\`  "
    echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC')  "
    echo "Machine: $(nproc) CPUs, $(cpu_name), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    "$@"
  } > "$file.tmp" 2>&1
  mv "$file.tmp" "$file"
}

# The sample: main job, leaderboards (leaderboard-*.md and .csv), the seed table (replicate-*.md), pictures.
run main-job "${sample[@]}" --out "$(mktemp -d)"
run compare-mnist "${sample[@]}" --compare --out "$results"
$fashion && run compare-fashion "${sample[@]}" --compare --data fashion --budget 60 --trials 3 --out "$results"
run replicate-mnist-run "${sample[@]}" --replicate --out "$results"
$fashion && run replicate-fashion-run "${sample[@]}" --replicate --data fashion --out "$results"
run plots "${sample[@]}" --plots "$images" --out "$results"
run regression-run "${sample[@]}" --regression "$images" --out "$results"

# The benchmarks, each in full mode.
run bench-inference "${bench[@]}" inference
$fashion && run bench-inference-fashion "${bench[@]}" inference --fashion
run bench-benchmarkdotnet "${bench[@]}" benchmarkdotnet
run bench-training "${bench[@]}" training
run bench-training-2-threads "${bench[@]}" training --threads 2
run bench-training-bfloat16 "${bench[@]}" training --matrix-precision BFloat16
$fashion && run bench-time-to-accuracy "${bench[@]}" time-to-accuracy
$fashion && run bench-time-to-accuracy-bfloat16 "${bench[@]}" time-to-accuracy --matrix-precision BFloat16
run bench-streaming "${bench[@]}" streaming

python3 scripts/options-table.py
echo "Regenerated $results and $images."
