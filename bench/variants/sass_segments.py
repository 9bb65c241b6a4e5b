"""python3 sass_segments.py sass_X.csv: an Nsight Compute SASS source page (profile.sh) summed
per stretch of code between block barriers (BAR.SYNC / EXIT): share of instructions and stall
samples, shared-memory wavefronts against ideal, the top opcodes and stall reasons."""
import csv, sys, collections, re
f = sys.argv[1]
rows = list(csv.reader(open(f)))
hdr = rows[1]; data = rows[2:]
ix = {h: i for i, h in enumerate(hdr)}
def num(r, k):
    try: return float(r[ix[k]].replace(',', '') or 0)
    except: return 0.0
tot_i = sum(num(r, "Instructions Executed") for r in data)
tot_s = sum(num(r, "Warp Stall Sampling (All Samples)") for r in data)
print(rows[0][1][:100], "instr", tot_i, "samples", tot_s)
seg = []; cur = []
for r in data:
    cur.append(r)
    if "BAR.SYNC" in r[ix["Source"]] or "EXIT" in r[ix["Source"]]:
        seg.append(cur); cur = []
seg.append(cur)
for k, s in enumerate(seg):
    ins = sum(num(r, "Instructions Executed") for r in s)
    smp = sum(num(r, "Warp Stall Sampling (All Samples)") for r in s)
    if ins < 0.005 * tot_i and smp < 0.005 * tot_s: continue
    ops = collections.Counter()
    for r in s:
        op = r[ix["Source"]].strip().split()[0] if r[ix["Source"]].strip() else "?"
        if op.startswith("@"): op = r[ix["Source"]].strip().split()[1]
        ops[op.split(".")[0]] += num(r, "Instructions Executed")
    shw = sum(num(r, "L1 Wavefronts Shared") for r in s); shi = sum(num(r, "L1 Wavefronts Shared Ideal") for r in s)
    st = collections.Counter()
    for r in s:
        for h in hdr:
            if h.startswith("stall_") and "Not Issued" not in h: st[h] += num(r, h)
    print(f"seg{k:2d} {s[0][ix['Address']]}-{s[-1][ix['Address']]} n={len(s):4d} instr {ins/tot_i*100:5.1f}% samples {smp/tot_s*100:5.1f}% shmem wf {shw:.0f} (ideal {shi:.0f})")
    print("      ops:", ", ".join(f"{o} {v/max(ins,1)*100:.0f}%" for o, v in ops.most_common(8)))
    print("      stalls:", ", ".join(f"{o[6:]} {v/max(smp,1)*100:.0f}%" for o, v in st.most_common(5)))
