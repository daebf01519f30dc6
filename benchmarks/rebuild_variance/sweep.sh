#!/bin/bash
cd /work/main
for v in "$@"; do
  set -- $(echo $v | tr ':' ' ')
  seed=$1; mode=$2; stage=$3; tag=s${seed}_${mode}_st${stage}
  .venv/bin/python /tmp/variant.py $seed $mode $stage /tmp/v_$tag > /tmp/v_$tag.log 2>&1
  /tmp/measure.sh /tmp/v_$tag $tag
done
