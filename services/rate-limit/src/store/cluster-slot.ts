// Redis Cluster's key-to-slot function: CRC16 (XMODEM) of the key's hash tag, modulo 16384.
// The rate-limit store groups batched decisions by it, so no script call mixes slots.

const table = new Uint16Array(256);
for (let byte = 0; byte < 256; byte += 1) {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
  table[byte] = crc & 0xffff;
}

/** The slot Redis Cluster stores `key` in (what `CLUSTER KEYSLOT key` answers). */
export function clusterSlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  // Only the text between the first `{` and the next `}` is hashed, when it is not empty.
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i += 1) crc = ((crc << 8) & 0xffff) ^ table[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc & 0x3fff;
}
