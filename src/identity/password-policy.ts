/**
 * Password rules (pure): at least 8 characters drawing on at least three of lower case, upper case,
 * digits and symbols (the usual 等级保护 requirement), and never containing the username.
 */
export type PasswordProblem = 'tooShort' | 'tooSimple' | 'containsUsername' | 'tooLong';

export function passwordProblem(password: string, username: string): PasswordProblem | undefined {
  if (password.length < 8) {
    return 'tooShort';
  }
  if (password.length > 256) {
    return 'tooLong';
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) {
    return 'tooSimple';
  }
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    return 'containsUsername';
  }
  return undefined;
}
