import type { identityZh } from './identity.zh.js';

/** 身份与登录 / identity and sign-in (English). */
export const identityEn: Record<keyof typeof identityZh, string> = {
  'error.orgNotFound': 'Organization not found: {ref}',
  'error.orgCodeTaken': 'Organization code {code} is already in use',
  'error.orgParentNotFound': 'Parent organization not found: {ref}',
  'error.orgCycle': 'An organization cannot be placed under itself or one of its descendants',
  'error.userNotFound': 'User not found: {ref}',
  'error.usernameTaken': 'Username {username} is already in use',
  'error.rolesSelfAssign': 'You cannot assign roles to yourself',
  'error.roleUnknown': 'Unknown role: {role}',
  'error.rolesSeparation': 'Separation of duties: {a} and {b} cannot be held by the same person',
  'error.rolesSeparation.sysadmin.secadmin':
    'Separation of duties: the system administrator and the security administrator cannot be the same person',
  'error.rolesSeparation.sysadmin.auditor':
    'Separation of duties: the system administrator and the auditor cannot be the same person',
  'error.rolesSeparation.secadmin.auditor':
    'Separation of duties: the security administrator and the auditor cannot be the same person',
  'error.password.tooShort': 'Passwords need at least 8 characters',
  'error.password.tooLong': 'Password too long (at most 256 characters)',
  'error.password.tooSimple': 'Passwords need at least three of: upper case, lower case, digits, symbols',
  'error.password.containsUsername': 'The password must not contain the username',
  'error.appNotFound': 'App not found: {ref}',
  'error.appNameTaken': 'Your organization already has an app named {name}',
  'error.appRoleInvalid': 'Apps may hold business roles only, not {role}',
  'error.keyScopeInvalid': 'Key scope {scope} is outside the permissions of the app’s roles',
  'error.keyNotFound': 'API key not found: {ref}',
  'error.invalidCredentials': 'Wrong username or password',
  'error.invalidApiKey': 'The API key is invalid, expired or revoked',
  'error.invalidToken': 'The token is invalid or expired',
  'error.csrf': 'Missing or wrong CSRF token (header x-csrf-token)',
  'error.oidcUnavailable': 'The single sign-on provider is unavailable',
  'error.oidcStateInvalid': 'The single sign-on attempt expired or is invalid; sign in again',
  'error.oidcFailed': 'Single sign-on failed',
  'error.oidcNoAccount':
    'This single sign-on identity has no govhub account; ask an administrator to create one',
  'error.oidcDisabled': 'Single sign-on is not enabled',
  'error.sessionRequired': 'Only a user session can be ended; an API key has no session',
};
