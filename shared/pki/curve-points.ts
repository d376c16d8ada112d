// Point checks done before node:crypto sees a key. Node accepts points that need no private key
// (Ed25519 small-order points) and aborts the process on others (an EC point at infinity, when
// its details are read), so the PKI decides from the coordinates itself, with bigint arithmetic.

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function power(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

// p is prime, so a^(p-2) is a's inverse (Fermat).
const inverse = (a: bigint, p: bigint): bigint => power(a, p - 2n, p);

export const bigintFrom = (bytes: Uint8Array): bigint =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

export function bytesFrom(n: bigint, length: number): Uint8Array {
  return new Uint8Array(Buffer.from(n.toString(16).padStart(length * 2, '0'), 'hex'));
}

/** A short-Weierstrass prime curve y² = x³ + ax + b (mod p), a = -3 for the NIST curves. */
interface PrimeCurve {
  jwkName: 'P-256' | 'P-384' | 'P-521';
  p: bigint;
  b: bigint;
  /** Bytes per coordinate. */
  size: number;
}

// FIPS 186-4 D.1.2 (the NIST prime curves, cofactor 1: every point but infinity has the group's order).
export const NAMED_CURVES: Readonly<Record<string, PrimeCurve>> = {
  '1.2.840.10045.3.1.7': {
    jwkName: 'P-256',
    p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    size: 32,
  },
  '1.3.132.0.34': {
    jwkName: 'P-384',
    p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    size: 48,
  },
  '1.3.132.0.35': {
    jwkName: 'P-521',
    p: 2n ** 521n - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    size: 66,
  },
};

const curveRight = (curve: PrimeCurve, x: bigint): bigint => mod(x ** 3n - 3n * x + curve.b, curve.p);

/**
 * The affine point an ECPoint octet string (SEC 1 §2.3.4) encodes, or why it is not a usable
 * public key: the point at infinity, the wrong length, coordinates out of range, off the curve.
 */
export function decodeEcPoint(curve: PrimeCurve, octets: Uint8Array): { x: bigint; y: bigint } | string {
  const form = octets[0];
  if (octets.length === 1 && form === 0x00) return 'is the point at infinity';
  const { p, size } = curve;
  let x: bigint;
  let y: bigint;
  if (form === 0x04) {
    if (octets.length !== 1 + 2 * size)
      return `is ${octets.length} bytes; an uncompressed ${curve.jwkName} point has ${1 + 2 * size}`;
    x = bigintFrom(octets.subarray(1, 1 + size));
    y = bigintFrom(octets.subarray(1 + size));
    if (x >= p || y >= p) return 'has a coordinate outside the field';
    if (mod(y * y, p) !== curveRight(curve, x)) return `is not a point on ${curve.jwkName}`;
  } else if (form === 0x02 || form === 0x03) {
    if (octets.length !== 1 + size)
      return `is ${octets.length} bytes; a compressed ${curve.jwkName} point has ${1 + size}`;
    x = bigintFrom(octets.subarray(1));
    if (x >= p) return 'has a coordinate outside the field';
    // p ≡ 3 (mod 4) for all three curves, so a square root is a^((p+1)/4).
    const square = curveRight(curve, x);
    y = power(square, (p + 1n) / 4n, p);
    if (mod(y * y, p) !== square) return `is not a point on ${curve.jwkName}`;
    if ((y & 1n) !== BigInt(form & 1)) y = p - y;
  } else {
    return `starts with 0x${(form ?? 0).toString(16).padStart(2, '0')}, not a point encoding`;
  }
  return { x, y };
}

// Ed25519 (RFC 8032 §5.1): -x² + y² = 1 + d·x²·y² over p = 2^255 - 19.
const ED_P = 2n ** 255n - 19n;
const ED_D = mod(-121665n * inverse(121666n, ED_P), ED_P);
const SQRT_MINUS_ONE = power(2n, (ED_P - 1n) / 4n, ED_P);

type EdPoint = { x: bigint; y: bigint };

// The twisted Edwards addition law is complete on Ed25519 (d is not a square): no exceptional cases.
function edAdd(a: EdPoint, b: EdPoint): EdPoint {
  const t = mod(ED_D * a.x * b.x * a.y * b.y, ED_P);
  return {
    x: mod((a.x * b.y + a.y * b.x) * inverse(1n + t, ED_P), ED_P),
    y: mod((a.y * b.y + a.x * b.x) * inverse(1n - t, ED_P), ED_P),
  };
}

/** Why a 32-byte Ed25519 public key is unusable (RFC 8032 §5.1.3 decoding, then small order), or undefined. */
export function ed25519KeyProblem(key: Uint8Array): string | undefined {
  if (key.length !== 32) return `is ${key.length} bytes; an Ed25519 key has 32`;
  const last = key[31] as number;
  const sign = BigInt(last >> 7);
  const y = bigintFrom(Uint8Array.from([last & 0x7f, ...Uint8Array.from(key.subarray(0, 31)).reverse()]));
  if (y >= ED_P) return 'is not canonically encoded (y is not below p)';
  const u = mod(y * y - 1n, ED_P);
  const v = mod(ED_D * y * y + 1n, ED_P);
  let x = mod(u * power(v, 3n, ED_P) * power(u * power(v, 7n, ED_P), (ED_P - 5n) / 8n, ED_P), ED_P);
  const vx2 = mod(v * x * x, ED_P);
  if (vx2 === mod(-u, ED_P)) x = mod(x * SQRT_MINUS_ONE, ED_P);
  else if (vx2 !== u) return 'is not a point on the curve';
  if (x === 0n && sign === 1n) return 'is not canonically encoded (negative zero)';
  if ((x & 1n) !== sign) x = ED_P - x;
  // The small-order points are exactly those that eight times over reach the identity (0, 1):
  // for them every "signature" can be made without a private key.
  let point: EdPoint = { x, y };
  for (let doubling = 0; doubling < 3; doubling++) point = edAdd(point, point);
  if (point.x === 0n && point.y === 1n) return 'is a small-order point, for which anyone can make signatures';
  return undefined;
}
