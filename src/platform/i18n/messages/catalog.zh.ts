/** 政务数据目录 / catalog (中文). */
export const catalogZh = {
  'error.resourceNotFound': '找不到信息资源：{ref}',
  'error.resourceVersionNotFound': '信息资源 {ref} 没有第 {version} 版',
  'error.resourceInvalid': '信息资源有 {count} 处不符合要求，详见 details',
  'error.resourceState': '信息资源当前状态为 {status}，不能执行 {action}',
  'error.resourceDeprecated': '信息资源 {code} 已废止，不能申请（替代资源：{successor}）',
  'error.catalogBureauOnly': '只有数据管理局可以审核和发布目录',
  'error.catalogSelfReview': '不能审核自己提交的信息资源',
  'error.catalogCommentRequired': '请填写意见或理由',
  'error.dutyExists': '责任清单中已有“{name}”',
  'error.demandNotFound': '找不到需求：{ref}',
  'error.sheetUnreadable': '无法读取编目表（需要 xlsx 文件）',
} as const;
