declare module 'sm-crypto' {
  interface SignOptions {
    hash?: boolean;
    der?: boolean;
    userId?: string;
    publicKey?: string;
  }
  export const sm2: {
    generateKeyPairHex(): { privateKey: string; publicKey: string };
    getPublicKeyFromPrivateKey(privateKey: string): string;
    doSignature(msg: string | number[], privateKey: string, opts?: SignOptions): string;
    doVerifySignature(
      msg: string | number[],
      signature: string,
      publicKey: string,
      opts?: SignOptions,
    ): boolean;
  };
  export function sm3(msg: string | number[]): string;
}
