import { expectTag, oidValue, stringValue, TAG, tlvBytes, type Tlv } from '../asn1/der.js';

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
};

export interface NameAttribute {
  /** Dotted OID. */
  oid: string;
  /** Short name (CN, O, OU, C, ...) or the dotted OID when it has none. */
  type: string;
  value: string;
}

/** RFC 4514 §2.4 escaping. */
function escapeValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/**
 * Reads an X.501 Name. `text` is RFC 4514-style (last RDN first, e.g. "CN=device,O=Rempart"),
 * with OpenSSL's short names and dotted OIDs for the rest; values that are not strings are
 * shown as `#hex`. `attributes` are in encoding order (most significant first).
 */
export function readName(name: Tlv): { text: string; attributes: NameAttribute[] } {
  expectTag(name, TAG.SEQUENCE, 'Name');
  const attributes: NameAttribute[] = [];
  const rdns: string[] = [];
  for (const rdn of name.children) {
    const parts: string[] = [];
    for (const ava of expectTag(rdn, TAG.SET, 'RelativeDistinguishedName').children) {
      const [type, value] = expectTag(ava, TAG.SEQUENCE, 'AttributeTypeAndValue').children;
      const id = oidValue(type);
      if (value === undefined) throw new Error('attribute value missing in a Name');
      const text = stringValue(value);
      const shortName = SHORT_NAMES[id] ?? id;
      attributes.push({ oid: id, type: shortName, value: text ?? '' });
      parts.push(
        `${shortName}=${text !== undefined ? escapeValue(text) : `#${tlvBytes(value).toString('hex')}`}`,
      );
    }
    rdns.push(parts.join('+'));
  }
  return { text: rdns.reverse().join(','), attributes };
}

/** The OID for a short name (CN, O, ...) or a dotted OID. */
export function nameTypeOid(type: string): string {
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  const entry = Object.entries(SHORT_NAMES).find(([, short]) => short.toLowerCase() === type.toLowerCase());
  if (entry === undefined) throw new Error(`unknown attribute type ${type}`);
  return entry[0];
}
