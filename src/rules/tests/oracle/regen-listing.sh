#!/bin/sh
# Regenerates ../listing.golden: for each rule spec in it, asks auditctl
# (audit-userspace, Debian's 3.0.9 when this was written) how it lists those
# exact bytes, through shim.c. Offline: no netlink, user namespace.
# Needs gcc, python3, unshare and auditctl. Review the diff.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
golden=$here/../listing.golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -shared -fPIC -o "$tmp/shim.so" "$here/shim.c"
python3 - "$golden" "$tmp" <<'PY'
import struct, subprocess, sys
golden, tmp = sys.argv[1], sys.argv[2]
def num(s): return int(s, 0) & 0xffffffff
def encode(spec):
    # "flags action mask field:value:op... |strings" (see listing.rs)
    spec, _, strings = spec.partition('|')
    w = spec.split()
    mask = [0] * 64
    if w[2] == 'all': mask = [0xffffffff] * 64
    elif w[2] != 'none':
        for n in map(int, w[2].split(',')): mask[n // 32] |= 1 << (n % 32)
    slots = [tuple(map(num, f.split(':'))) for f in w[3:]]
    col = lambda i: [s[i] for s in slots] + [0] * (64 - len(slots))
    buf = strings.replace('\\1', '\x01').encode()
    return (struct.pack('=3I', num(w[0]), num(w[1]), len(slots)) + struct.pack('=64I', *mask)
            + struct.pack('=64I', *col(0)) + struct.pack('=64I', *col(1)) + struct.pack('=64I', *col(2))
            + struct.pack('=I', len(buf)) + buf)
out = []
for line in open(golden):
    line = line.rstrip('\n')
    if not line or line.startswith('#'):
        out.append(line); continue
    spec = line.split('\t')[0]
    data = encode(spec)
    with open(f'{tmp}/rules.bin', 'wb') as f: f.write(struct.pack('=I', len(data)) + data)
    r = subprocess.run(['unshare', '-U', '-r', 'env', f'LD_PRELOAD={tmp}/shim.so',
                        f'ORACLE_RULES={tmp}/rules.bin', 'auditctl', '-l'], capture_output=True, text=True, check=True)
    out.append(f'{spec}\t{r.stdout.rstrip(chr(10))}')
open(golden, 'w').write('\n'.join(out) + '\n')
PY
