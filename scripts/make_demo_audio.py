"""Writes examples/data/pluck.wav: a 4-second plucked-string phrase
(Karplus-Strong, zero-mean excitation) with a little noise, 22050 Hz mono
16-bit.  Kept so the bundled clip can be regenerated; it is not run by the
build."""
import math, random, struct, wave

sr = 22050
T = 4 * sr
random.seed(7)
y = [0.0] * T
notes = [(0.0, 220.0), (0.5, 277.18), (1.0, 329.63), (1.5, 440.0), (2.0, 392.0), (2.5, 329.63), (3.0, 261.63)]
for t0, f in notes:
    n0 = int(t0 * sr)
    period = int(sr / f)
    buf = [random.uniform(-1, 1) for _ in range(period)]
    mean = sum(buf) / period
    buf = [v - mean for v in buf]
    for i in range(int(1.2 * sr)):
        if n0 + i >= T:
            break
        v = buf[i % period]
        buf[i % period] = 0.996 * 0.5 * (v + buf[(i + 1) % period])
        y[n0 + i] += 0.3 * v
for i in range(T):
    y[i] += 0.003 * random.gauss(0, 1)
peak = max(abs(v) for v in y)
w = wave.open("examples/data/pluck.wav", "wb")
w.setnchannels(1)
w.setsampwidth(2)
w.setframerate(sr)
w.writeframes(b"".join(struct.pack("<h", int(max(-32767, min(32767, v / peak * 0.8 * 32767)))) for v in y))
w.close()
