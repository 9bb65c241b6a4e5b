"""python3 bench/variants/table.py LOG...: the RESULT lines of variants.sh / quick.py runs as one table,
the fastest run of each row and variant in us (cpu_us rows as they are), the last variant over the first."""
import json, sys, collections
res = collections.defaultdict(dict)
order = []
for f in sys.argv[1:]:
    for line in open(f):
        if not line.startswith("RESULT "): continue
        d = json.loads(line[7:]); v = d.pop("variant")
        if v not in order: order.append(v)
        for k, x in d.items():
            res[k][v] = min(res[k].get(v, 1e9), x)
print("%-34s" % "row (us; cpu_us as is)", " ".join("%10s" % v for v in order), "  ratio(last/first)")
for k in res:
    vals = [res[k].get(v) for v in order]
    sc = 1 if k.startswith("cpu_us") else 1000
    print("%-34s" % k[:34], " ".join("%10.2f" % (x * sc) if x is not None else "%10s" % "-" for x in vals),
          "  %.3f" % (vals[-1] / vals[0]) if None not in vals and vals[0] else "")
