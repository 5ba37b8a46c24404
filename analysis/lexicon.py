"""Cue lexicons for policy comments: stance, polarity, negation, sarcasm, flags, stopwords.

Written for comments on Chinese draft regulations (征求意见稿), where the product-review
vocabulary of general sentiment models misses what matters: 反对/赞成, 建议…改为…, 负担, 一刀切.
All entries are simplified Chinese, as ``analysis.text.normalize`` produces.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated entries, in order, duplicates dropped."""
    return tuple(dict.fromkeys(text.split()))


__all__ = [
    "ABUSE",
    "NEGATORS",
    "NEG_WORDS",
    "OPPOSE",
    "POS_WORDS",
    "QUESTION_ENDINGS",
    "QUESTION_WORDS",
    "RHETORICAL",
    "SARCASM_TAILS",
    "SPAM",
    "STOPWORDS",
    "SUGGEST_PATTERNS",
    "SUPPORT",
]

# Explicit stance words. Order does not matter; the longest match wins at a position.
SUPPORT: tuple[str, ...] = _words(
    """
    支持 赞成 赞同 同意 拥护 点赞 赞一个 好政策 好规定 好措施 举双手 非常好 很好 太好了 好事 及时雨 叫好
    认可 期待早日 期待尽快 希望尽快出台 希望早日出台 早日出台 尽快出台 尽快实施 早日实施 利国利民 深得民心
    顺应民意 很有必要 十分必要 非常必要 切实可行 完全可行 必要且及时 意义重大 值得肯定 值得推广 受益匪浅 实实在在
    为民办实事 接地气 考虑周到 考虑得很周全 写得好 这条好 这一条好 这个好 鼓舞人心 顶一个 👍
    """
)
OPPOSE: tuple[str, ...] = _words(
    """
    反对 不赞成 不同意 不支持 不认可 不合理 不合适 不可行 不妥 欠妥 不切实际 脱离实际 一刀切 抗议 坚决抵制
    抵制 撤回 收回 废除 叫停 取消这条 取消该条 删除这条 删掉这条 不应出台 没有必要 毫无必要 多此一举 劳民伤财
    形式主义 增加负担 加重负担 负担太重 与民争利 扰民 乱收费 变相收费 侵犯隐私 侵犯 违背 违反上位法 于法无据
    缺乏依据 拍脑袋 闭门造车 行不通 走不通 站不住脚 难以接受 无法接受 不能接受 强烈不满 荒唐 荒谬 离谱 胡闹
    倒退 开倒车 有害无益 得不偿失 反队 白写 空话 套话 敷衍 没有意义 毫无意义 不宜出台 走过场 表面文章
    换汤不换药 画饼 纸上谈兵 不接地气 👎
    """
)

# Suggestion patterns (regular expressions over normalised text).
SUGGEST_PATTERNS: tuple[str, ...] = (
    r"建议|建意|建义|建議",
    r"提议",
    r"(?<![早就本])(?:应当|应该)(?!这样|如此|的)",
    r"应当?(?:增加|增设|补充|明确|细化|规定|删除|删去|修改|调整|写明|写入|纳入|放宽|降低|提高|延长|缩短|区分|考虑|参照|保留|加强|加大|设立|建立|给予|允许|限定|限制)",
    r"(?:需要|需|要|宜|可以|可)(?:增加|补充|明确|细化|删除|修改|调整|写明|区分|延长|放宽|降低)",
    r"改为|改成|修改为|调整为|表述为|替换为|更改为|改作",
    r"(?:增加|增设|补充|新增|加上|添加)(?:一款|一项|一条|一句|规定|条款|内容|表述)",
    r"(?:删除|删去|去掉|去除|拿掉)(?:[“\"'‘「][^”\"'’」]{1,30}[”\"'’」]|“|\")",
    r"希望[^,，。!！?？]{0,16}?(?:增加|统一|保留|开放|提供|降低|减免|细化|明确|延长|取消|免费|出一|把|将|给予|写明|建立|设立|控制|区分|公开|纳入|列入|改为|简化|考虑|补充|放宽|加大|对.{1,15}给予)",
    r"(?:但|但是|不过)(?:请|希望|要|应)",
    r"最好(?:能|能够|可以|将|把|增加|明确|规定)",
    r"不妨",
    r"请(?:一定)?(?:考虑|明确|补充|增加|细化|研究|将|把|保留|公开|降低|延长|区分)",
    r"恳请|呼吁",
    r"能否|可否",
    r"是否可以考虑",
)

# Question forms. A "?" alone is not enough (rhetorical questions are stances).
QUESTION_WORDS: tuple[str, ...] = _words(
    """
    请问 想问 想咨询 咨询一下 问一下 请教 是否 是不是 有没有 能不能 会不会 要不要 如何 怎么 怎样 哪些 哪个
    哪里 什么时候 何时 多少 多久 几年 为什么 为何 谁来 由谁 具体指 指的是 包括哪些 包不包括 算不算 适用于
    不太明白 不清楚 看不懂
    """
)
QUESTION_ENDINGS: tuple[str, ...] = _words(
    """
    吗 呢 么 吧?
    """
)

# Rhetorical question markers: a question that states an objection.
RHETORICAL: tuple[str, ...] = _words(
    """
    难道 凭什么 何必 何苦 有什么用 有何意义 有意思吗 合理吗 公平吗 考虑过 想过没有 想过吗 还让不让 让不让人活
    怎么活 谁来买单 谁买单 岂不是 搞什么 谁同意 谁允许 谁批准
    """
)

# Sarcasm: praise followed by a complaint, or praise in quotes.
SARCASM_TAILS: tuple[str, ...] = _words(
    """
    又多一个 又多了一个 又多一项 又要收费 又要交钱 又要掏钱 又来了 又要搞 呵呵 真是好笑 真会玩 佩服佩服 韭菜
    割韭菜 笑死 服了 无语 醉了 🙄 😅 🙃 😂
    """
)

# Polarity words for the policy domain (beyond explicit stance words above).
POS_WORDS: tuple[str, ...] = _words(
    """
    好 优秀 满意 感谢 谢谢 方便 便利 便民 惠民 高效 受益 期待 欢迎 肯定 进步 有利于 有助于 促进 提升 改善
    减轻 降低成本 省钱 省时 实惠 公平 透明 规范 合理 及时 必要 点赞 给力 赞 开心 相信 甜头 高兴 放心 安心
    😊 😀 😄 ❤ 🎉 💪
    """
)
NEG_WORDS: tuple[str, ...] = _words(
    """
    差 糟糕 失望 担心 担忧 忧虑 顾虑 困难 难以 麻烦 繁琐 负担 压力 成本 收费 涨价 罚款 风险 隐患 漏洞
    泄露 泄漏 滥用 浪费 腐败 垄断 不公 不公平 不透明 模糊 含糊 笼统 空泛 缺乏 缺少 不足 不够 不便 不利
    损害 损失 伤害 倒闭 失业 吃不消 受不了 扛不住 折腾 坑 乱 难 贵 慢 卡 气愤 愤怒 生气 不满 寒心 😡 😠
    😤 😞 😢 💢
    """
)

# Negators flip a cue within a short scope after them ("不反对", "并非支持", "没有必要").
NEGATORS: tuple[str, ...] = _words(
    """
    不 没 没有 无 未 非 并非 并不 并没有 绝不 决不 毫不 谈不上 算不上 称不上 不是 不再 别 不能 不会 不用
    无需 无须 不必
    """
)

SPAM: tuple[str, ...] = _words(
    """
    加微信 加v 加vx 加qq 加q vx: vx： 微信号 wx: 威信 薇信 扣扣 qq群 q群 私聊 代理 招代理
    兼职 日赚 日结 月入 躺赚 刷单 返利 优惠券 领券 低价 特价 促销 包邮 批发 代办 办证 代开发票 发票代开
    贷款 网贷 无抵押 秒批 博彩 彩票 娱乐城 棋牌 点击链接 点击进入 扫码 免费领取 限时 咨询热线 详询 联系我们
    欢迎咨询 官网 下载app 关注公众号 公众号 减肥 代孕 seo 推广 引流
    """
)

ABUSE: tuple[str, ...] = _words(
    """
    傻逼 傻b 傻x 煞笔 沙比 sb nmsl 尼玛 你妈 他妈的 他妈 妈的 操你 草泥马 卧槽 去死 滚蛋 滚出 脑残
    智障 弱智 白痴 蠢货 蠢猪 猪脑子 废物 垃圾官员 狗官 贪官 畜生 王八蛋 混蛋 人渣 败类 狗东西 狗屁 放屁
    屁话 不要脸 吃屎 贱
    """
)

# Function words removed from tokens (kept: negators and stance words, which carry meaning).
_STOPWORD_TEXT = """
    的 了 着 过 和 与 及 以及 或 或者 而 而且 并且 但 但是 可是 然而 因为 所以 因此 如果 虽然
    就 都 也 还 又 再 才 只 仅 很 太 更 最 非常 十分 比较 挺 蛮 已 已经 正在 将 将要 会 能 可
    可以 要 得 地 之 其 此 该 这 那 这个 那个 这些 那些 这样 那样 这种 那种 这里 那里 本 各
    每 某 一个 一些 一下 一点 一种 一项 我 我们 你 你们 您 他 他们 她 她们 它 它们 自己 大家
    咱们 人家 是 有 在 为 对 对于 关于 把 被 让 给 向 从 自 到 由 以 于 按 按照 根据 通过 比
    跟 同 啊 呀 吧 呢 吗 嘛 哦 哈 啦 嗯 哎 唉 么 罢了 而已 等 等等 之类 方面 的话 来说 来讲
    个 位 条 款 项 第 即 便 则 乃 且 若 如 像 似的 一样 一般 左右 以上 以下 之一 其中 其他
    其它 另外 此外 同时 然后 接着 还是 还有 就是 只是 只有 只要 不仅 不但 虽 尽管 即使 哪怕
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())
