import assert from 'node:assert/strict';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import { completeUtf8Prefix, detectEncoding } from '../../src/datasets/csv.js';

const text =
  '姓名,公民身份号码,性别\n杜博娜,51010419640828873X,男\n叶一超,510112195212026493,男\n😀,表情,符号\n';

test('UTF-8 is recognised wherever the first chunk happens to end, even inside a character', () => {
  const bytes = Buffer.from(text, 'utf8');
  for (let end = 1; end <= bytes.length; end++) {
    assert.equal(detectEncoding(bytes.subarray(0, end)), 'utf-8', `first chunk of ${end} bytes`);
  }
});

test('GBK and GB18030 files are still told apart from UTF-8', () => {
  assert.equal(detectEncoding(iconv.encode('姓名,性别\n张三,男\n', 'gbk')), 'gbk');
  assert.equal(detectEncoding(iconv.encode('姓名,备注\n张三,😀\n', 'gb18030')), 'gb18030');
});

test('a split character at the end is cut at its lead byte; complete text is kept whole', () => {
  const zh = Buffer.from('中文', 'utf8'); // 6 bytes, two 3-byte characters
  assert.equal(completeUtf8Prefix(zh), 6);
  assert.equal(completeUtf8Prefix(zh.subarray(0, 5)), 3);
  assert.equal(completeUtf8Prefix(zh.subarray(0, 4)), 3);
  assert.equal(completeUtf8Prefix(zh.subarray(0, 3)), 3);
  assert.equal(completeUtf8Prefix(Buffer.from('ab', 'utf8')), 2);
});
