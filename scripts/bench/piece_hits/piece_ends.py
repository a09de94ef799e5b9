"""Writes the end offsets (little-endian uint32, bytes) of the pieces tiktoken's pattern cuts TEXT into, for
real_text_ab.c:  piece_ends.py ENCODING TEXT OUT.bin"""
import sys, struct, regex
here = __import__('pathlib').Path(__file__).resolve().parents[2]; sys.path[:0] = [str(here), str(here / 'python')]
import peers
enc = peers.tiktoken_encoding(sys.argv[1])
text = open(sys.argv[2], encoding='utf-8').read()
pat = regex.compile(enc._pat_str)
data = text.encode()
ends = []
pos = 0
for m in pat.finditer(text):
    pos += len(m.group().encode())
    ends.append(pos)
open(sys.argv[3], 'wb').write(struct.pack(f'<{len(ends)}I', *ends))
print(len(ends), len(data))
