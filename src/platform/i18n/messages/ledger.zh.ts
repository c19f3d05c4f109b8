/** 可验证账本 / verifiable ledger (中文). */
export const ledgerZh = {
  'error.ledger.personalNotFound': '事件 {id} 没有个人信息',
  'error.ledger.inconsistent': '账本与已签名的检查点（大小 {size}）不一致，拒绝签名',
  'error.ledger.noCheckpoint': '账本尚无检查点',
  'error.ledger.tileNotFound': '瓦片不存在：{tile}',
  'error.ledger.badSize': '树大小无效：{size}',
  'error.ledger.badHash': '哈希应为 64 位十六进制',
  'error.ledger.proofTarget': '请给出 index 或 leafHash',
  'error.ledger.leafNotFound': '账本中没有该条目：{ref}',
  'error.ledger.receiptPending': '事件 {id} 尚未纳入已签名的检查点，请稍后再试',
  'error.ledger.keyUnavailable':
    '无法用本节点的密钥（GOVHUB_SECRET_KEY 或数据目录中的 secret.key）打开账本签名密钥 {key}',
  'error.ledger.badVkey': '验证公钥格式无效',
  'error.ledger.verifySource': '请指定 --url、--tiles 或 --data-dir 之一',
  'cli.ledger.verifyOk': '账本验证通过：{size} 条，{checkpoints} 个检查点，根 {root}（{ms} 毫秒）',
  'cli.ledger.verifyFailed': '账本验证失败：{problem}',
  'cli.ledger.untrustedKeys':
    '注意：未用 --key 指定可信公钥，使用的是被验证数据自带的公钥（只能证明内部一致）',
  'cli.ledger.integrated': '已纳入 {count} 条事件；树大小 {size}',
  'cli.ledger.exported': '已导出 {size} 条的瓦片镜像到 {dir}',
} as const;
