#!/bin/bash
# usage: sweep.sh OUTFILE STEPS SEEDS  (config lines from configs.txt: name|args)
out=$1; steps=$2; seeds=$3; here=$(dirname "$0")
while IFS='|' read -r name args; do
  [ -z "$name" ] && continue
  for s in $seeds; do echo "$name|$s|$args"; done
done < "$here/${CONFIGS:-configs.txt}" | xargs -P ${PAR:-16} -I{} bash -c 'IFS="|" read -r n s a <<< "{}"; python3 '"$here"'/sweep-run.py --name $n --seed $s --steps '"$steps"' $a >> '"$out"' 2>>'"$out"'.err'
