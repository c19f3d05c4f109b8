/**
 * Chinese identifier checks (pure): resident ID (GB 11643, MOD 11-2), USCC (GB 32100, MOD 31),
 * mobile numbers, bank cards (Luhn), e-mail, and cheap heuristics for personal names and addresses.
 * Rules and test vectors: reference/identifiers.md.
 */

const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82, 83,
]);

export function idCheckChar(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) {
    s += (first17.charCodeAt(i) - 48) * (ID_W[i] as number);
  }
  return ID_CHECK[s % 11] as string;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when `y-m-d` is a real calendar date. */
export function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) {
    return false;
  }
  if (m === 2 && d === 29) {
    return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  }
  return d <= (MONTH_DAYS[m - 1] as number);
}

// The last answer: an import asks twice about the same value (statistics, then validation).
let lastId: string | undefined;
let lastIdProblem: string | null = null;

/** Why a resident ID number is invalid, or null when it is valid (first failing rule, §1.3). */
export function residentIdProblem(raw: string, today?: Date): string | null {
  if (today) {
    return idProblem(raw, today.getTime());
  }
  if (raw !== lastId) {
    lastIdProblem = idProblem(raw, Date.now());
    lastId = raw;
  }
  return lastIdProblem;
}

function idProblem(raw: string, now: number): string | null {
  // One pass over the characters (no regex, no substrings): this runs for every ID of an import.
  if (raw.length !== 18) {
    return 'shape';
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = raw.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      return 'shape';
    }
    sum += d * (ID_W[i] as number);
  }
  const last = raw.charCodeAt(17);
  const lastChar = last === 120 ? 'X' : last === 88 || (last >= 48 && last <= 57) ? raw[17] : null;
  if (lastChar === null) {
    return 'shape';
  }
  if (ID_CHECK[sum % 11] !== lastChar) {
    return 'check';
  }
  const digit = (i: number) => raw.charCodeAt(i) - 48;
  const y = digit(6) * 1000 + digit(7) * 100 + digit(8) * 10 + digit(9);
  const m = digit(10) * 10 + digit(11);
  const d = digit(12) * 10 + digit(13);
  if (!isRealDate(y, m, d) || y < 1800 || Date.UTC(y, m - 1, d) > now) {
    return 'birthDate';
  }
  if (!PROVINCES.has(digit(0) * 10 + digit(1))) {
    return 'province';
  }
  return null;
}

export const isResidentId = (v: string): boolean => residentIdProblem(v) === null;

const USCC_CS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

export function usccCheckChar(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) {
    s += USCC_CS.indexOf(first17[i] as string) * (USCC_W[i] as number);
  }
  return USCC_CS[(31 - (s % 31)) % 31] as string;
}

/** Why a USCC is invalid ('shape' | 'check'), or null when shape and check character hold. */
export function usccProblem(v: string): string | null {
  if (!USCC_SHAPE.test(v)) {
    return 'shape';
  }
  return usccCheckChar(v) === v[17] ? null : 'check';
}

export const isUscc = (v: string): boolean => usccProblem(v) === null;

const MOBILE = /^(?:(?:\+|00)86)?1[3-9]\d{9}$/;

/** The plain spelling 1[3-9] + 9 digits, checked without a regex (the common case of an import). */
export function isPlainMobile(v: string): boolean {
  if (v.length !== 11 || v.charCodeAt(0) !== 49) {
    return false;
  }
  const second = v.charCodeAt(1);
  if (second < 51 || second > 57) {
    return false;
  }
  for (let i = 2; i < 11; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) {
      return false;
    }
  }
  return true;
}

export const isMobile = (v: string): boolean => isPlainMobile(v) || MOBILE.test(v.replace(/[\s-]/g, ''));

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export const isBankCard = (v: string): boolean => /^\d{16,19}$/.test(v) && luhnValid(v);

export const isEmail = (v: string): boolean => /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/.test(v);

// Common single-character surnames cover the great majority of the population; compound ones are listed.
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝';
const COMPOUND = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
];

const SURNAME_SET = new Set(SURNAMES);
/** The single-character surnames as code points (for checks on bytes). */
export const SURNAME_CODES: ReadonlySet<number> = new Set([...SURNAMES].map((c) => c.charCodeAt(0)));

/** A plausible Chinese personal name: 2–4 Han characters starting with a known surname. */
export function looksLikeChineseName(v: string): boolean {
  if (!/^[\u4e00-\u9fa5]{2,4}$/.test(v)) {
    return false;
  }
  return SURNAME_SET.has(v[0] as string) || COMPOUND.some((c) => v.startsWith(c) && v.length >= 3);
}

/** A plausible street address: Han text with an administrative or street marker and usually a number. */
export function looksLikeAddress(v: string): boolean {
  return (
    v.length >= 6 &&
    /[\u4e00-\u9fa5]/.test(v) &&
    /(省|市|区|县|镇|乡|街道|路|街|大道|巷|村)/.test(v) &&
    /(\d|号|栋|室|组)/.test(v)
  );
}

export type PiiKind = 'resident_id' | 'uscc' | 'mobile' | 'bank_card' | 'email' | 'name' | 'address';

/** The identifier kinds a single value matches (cheapest first). */
export function detectKind(v: string): PiiKind | null {
  if (v.length === 18) {
    if (isResidentId(v)) {
      return 'resident_id';
    }
    if (isUscc(v)) {
      return 'uscc';
    }
  }
  if (isMobile(v)) {
    return 'mobile';
  }
  if (isBankCard(v)) {
    return 'bank_card';
  }
  if (v.includes('@') && isEmail(v)) {
    return 'email';
  }
  if (looksLikeChineseName(v)) {
    return 'name';
  }
  if (looksLikeAddress(v)) {
    return 'address';
  }
  return null;
}
