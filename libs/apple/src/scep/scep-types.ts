/** SCEP failInfo values (RFC 8894 §3.2.1.4.5), by name. */
export type ScepFailInfo = 'badAlg' | 'badMessageCheck' | 'badRequest' | 'badTime' | 'badCertId';

export const FAIL_INFO_CODES: Record<ScepFailInfo, string> = {
  badAlg: '0',
  badMessageCheck: '1',
  badRequest: '2',
  badTime: '3',
  badCertId: '4',
};

export function failInfoFromCode(code: string): ScepFailInfo | undefined {
  return (Object.keys(FAIL_INFO_CODES) as ScepFailInfo[]).find((name) => FAIL_INFO_CODES[name] === code);
}

/** SCEP messageType values (RFC 8894 §3.2.1.2). */
export const MESSAGE_TYPES = {
  CertRep: 3,
  RenewalReq: 17,
  UpdateReq: 18,
  PKCSReq: 19,
  CertPoll: 20,
  GetCert: 21,
  GetCRL: 22,
} as const;

export type ScepMessageTypeName = keyof typeof MESSAGE_TYPES;

export function messageTypeName(code: number): ScepMessageTypeName | undefined {
  return (Object.keys(MESSAGE_TYPES) as ScepMessageTypeName[]).find((name) => MESSAGE_TYPES[name] === code);
}

/** pkiStatus values (RFC 8894 §3.2.1.3). */
export const PKI_STATUS = { SUCCESS: '0', FAILURE: '2', PENDING: '3' } as const;

export type ScepPkiStatus = keyof typeof PKI_STATUS;
