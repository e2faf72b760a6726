import Foundation
import Mustache
import XieshangService
import XieshangWire

/// The portal's pages: Mustache templates (every `{{value}}` is HTML-escaped; only the
/// layout's `{{{body}}}`, itself rendered from a template, is not), Chinese, one column that
/// reads on a 390-px phone and widens on a desktop. No script.
enum Pages {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in templates {
            do { try library.register(text, named: name) } catch { preconditionFailure("template \(name): \(error)") }
        }
        return library
    }()

    /// A page: `template` rendered with `values`, inside the layout.
    static func render(_ template: String, title: String, values: [String: Any], signedIn: (name: String, csrf: String, isMember: Bool)? = nil) -> String {
        let body = library.render(values, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "body": body]
        if let signedIn {
            layout["user"] = ["name": signedIn.name, "csrf": signedIn.csrf, "member": signedIn.isMember]
        }
        return library.render(layout, withTemplate: "layout") ?? ""
    }

    /// The most characters a form's text field takes: what the services accept in the wire
    /// field it fills (`WireTextPolicy.xieshang`, in UTF-8 bytes) at three bytes a character,
    /// the most one UTF-16 unit (what `maxlength` counts) can take. A text the browser lets
    /// through is then never refused for its length, in English, by the service.
    static func most(_ wireField: String) -> Int { WireTextPolicy.xieshang.rule(message: "", field: wireField).maxBytes / 3 }

    /// The wire field each form field fills, where the names differ; fields the portal parses
    /// first (participants, members) or keeps itself (passwords, the code) are not sent as written.
    static let wireFields = ["notice": "text"]

    static let templates: [String: String] = [
        "layout": """
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · 政协委员履职服务</title>
            <link rel="stylesheet" href="/portal.css"></head>
            <body>
            <header><div class="bar"><a class="brand" href="/">政协委员履职服务</a>
            {{#user}}<nav><a href="/inbox">消息</a>{{#member}}<a href="/meetings">会议</a>{{/member}}<a href="/proposals">提案</a>{{#member}}<a href="/opinions">社情民意</a><a href="/duty">履职</a><a href="/rooms">议事室</a>{{/member}}<a href="/account">账户</a></nav>{{/user}}{{^user}}<nav><a href="/public">公开信息</a><a href="/login">登录</a></nav>{{/user}}</div>
            {{#user}}<div class="who">{{name}}
            <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button class="link">退出</button></form></div>{{/user}}
            </header>
            <main><h1>{{title}}</h1>
            {{{body}}}
            </main>
            <footer>政协办公室 · 如有问题请联系委员联络处</footer>
            </body></html>
            """,
        "login": """
            {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
            <form method="post" action="/login" class="card">
            <input type="hidden" name="csrf" value="{{csrf}}">
            {{#next}}<input type="hidden" name="next" value="{{next}}">{{/next}}
            <label>登录名<input name="login" autocomplete="username" value="{{login}}" required maxlength="32"></label>
            <label>密码<input name="password" type="password" autocomplete="current-password" required maxlength="200"></label>
            <button>登录</button>
            </form>
            <p class="hint">首次使用：请打开办公室发给您的邀请链接，输入邀请码并设置密码。</p>
            <p class="hint">不需登录：<a href="/public">协商议事室、会议和议题的公开信息</a>。</p>
            """,
        "invite": """
            {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
            <p>{{name}}，您好。您的登录名是 <strong class="login">{{login}}</strong>。请输入邀请码并设置密码。</p>
            <form method="post" action="/invite" class="card">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="t" value="{{token}}">
            <label>邀请码<input name="code" autocomplete="one-time-code" required maxlength="16"></label>
            <label>新密码（至少 10 个字符）<input name="password" type="password" autocomplete="new-password" required maxlength="200"></label>
            <label>再次输入新密码<input name="confirm" type="password" autocomplete="new-password" required maxlength="200"></label>
            <button>设置密码</button>
            </form>
            """,
        "message": """
            <p class="{{kind}}" role="alert">{{text}}</p>
            {{#detail}}<p class="meta">原因：{{detail}}</p>{{/detail}}
            {{#problems}}<ul class="problems">{{#lines}}<li>{{.}}</li>{{/lines}}</ul>{{/problems}}
            {{#link}}<p><a href="{{href}}">{{label}}</a></p>{{/link}}
            """,
        "inbox": """
            <p class="summary">未读 {{unread}} 条，共 {{total}} 条</p>
            {{#hasUnread}}<form method="post" action="/inbox/read" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="0"><button>全部标为已读</button></form>{{/hasUnread}}
            <ul class="list">
            {{#items}}<li class="{{#unread}}unread{{/unread}}">
            <div class="title">{{#unread}}<span class="dot">未读</span>{{/unread}}{{title}}</div>
            <div class="meta">{{time}}</div>
            <div class="body">{{body}}</div>
            {{#unread}}<form method="post" action="/inbox/read" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{id}}"><button class="small">标为已读</button></form>{{/unread}}
            </li>{{/items}}
            {{^items}}<li>暂无消息</li>{{/items}}
            </ul>
            """,
        "meetings": """
            <p><a href="/calendar.ics">下载我的会议日历（.ics，可导入手机日历）</a></p>
            <ul class="list">
            {{#meetings}}<li><a class="title" href="/meetings/{{id}}">{{title}}</a>
            <div class="meta">{{time}} · {{place}} · {{status}}</div>
            {{#mine}}<div class="meta">我的状态：{{mine}}</div>{{/mine}}</li>{{/meetings}}
            {{^meetings}}<li>近期没有您参加的会议</li>{{/meetings}}
            </ul>
            {{#hasOpen}}<h2>可报名的活动</h2>
            <ul class="list">{{#open}}<li><a class="title" href="/meetings/{{id}}">{{title}}</a><div class="meta">{{time}} · {{place}}</div></li>{{/open}}</ul>{{/hasOpen}}
            """,
        "meeting": """
            {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
            <dl class="facts">
            <dt>类型</dt><dd>{{kind}}</dd>
            <dt>时间</dt><dd>{{time}}</dd>
            <dt>地点</dt><dd>{{place}}</dd>
            <dt>方式</dt><dd>{{mode}}</dd>
            {{#link}}<dt>线上链接</dt><dd>{{link}}</dd>{{/link}}
            <dt>状态</dt><dd>{{status}}</dd>
            {{#mine}}<dt>我的状态</dt><dd class="mine">{{mine}}</dd>{{/mine}}
            {{#leave}}<dt>请假</dt><dd>{{leave}}</dd>{{/leave}}
            {{#code}}<dt>签到码</dt><dd><span class="code">{{code}}</span><div class="meta">到会后向会场工作人员出示此码签到（会前两小时起）。</div></dd>{{/code}}
            </dl>
            {{#hasAgenda}}<h2>议程</h2><ol>{{#agenda}}<li>{{.}}</li>{{/agenda}}</ol>{{/hasAgenda}}
            {{#minutes}}<h2>会议纪要</h2><p class="text">{{minutes}}</p>{{/minutes}}
            {{#outcomes}}<h2>会议成果</h2><p class="text">{{outcomes}}</p>{{/outcomes}}
            {{#capacity}}<p class="hint">名额 {{capacity}}，报满后进入候补。</p>{{/capacity}}
            {{#canEnroll}}<form method="post" action="/meetings/{{id}}/enroll" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><button>报名参加</button></form>{{/canEnroll}}
            {{#canWithdraw}}<form method="post" action="/meetings/{{id}}/enroll" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="withdraw" value="1"><button class="secondary">退出报名</button></form>{{/canWithdraw}}
            {{#canLeave}}<h2>请假</h2>
            <form method="post" action="/meetings/{{id}}/leave" class="card">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>类型<select name="type">{{#leaveTypes}}<option value="{{value}}">{{label}}</option>{{/leaveTypes}}</select></label>
            <label>事由<textarea name="reason" required maxlength="500"></textarea></label>
            <button>提交请假</button>
            </form>{{/canLeave}}
            <p><a href="/meetings">返回会议列表</a></p>
            """,
        "proposals": """
            {{#member}}<p><a class="button" href="/proposals/new">写提案</a></p>{{/member}}
            <ul class="list">
            {{#proposals}}<li><a class="title" href="/proposals/{{id}}">{{title}}</a>
            <div class="meta">{{number}} · {{state}} · {{role}}{{#deadline}} · {{deadline}}{{/deadline}}</div></li>{{/proposals}}
            {{^proposals}}<li>暂无提案</li>{{/proposals}}
            </ul>
            """,
        "proposal-new": """
            <form method="post" action="/proposals" class="card wide">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>案由（标题）<input name="title" required maxlength="200"></label>
            <label>类别<input name="category" maxlength="50" placeholder="如：经济建设、社会事业、城市建设"></label>
            <label>内容<textarea name="body" required maxlength="\(most("body"))" class="tall"></textarea></label>
            <label class="row"><input type="checkbox" name="public" value="1" checked> 同意公开</label>
            <label>不公开的理由（不同意公开时填写）<input name="not_public_reason" maxlength="200"></label>
            <button>保存草稿</button>
            </form>
            """,
        "proposal": """
            {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
            <dl class="facts">
            <dt>编号</dt><dd>{{number}}</dd>
            <dt>状态</dt><dd class="state">{{state}}</dd>
            <dt>领衔</dt><dd>{{proposer}}</dd>
            {{#category}}<dt>类别</dt><dd>{{category}}</dd>{{/category}}
            {{#hasCosigners}}<dt>附议</dt><dd>{{#cosigners}}<span class="tag">{{name}}（{{decision}}）</span> {{/cosigners}}</dd>{{/hasCosigners}}
            {{#units}}<dt>承办单位</dt><dd>{{units}}</dd>{{/units}}
            {{#deadline}}<dt>办理期限</dt><dd>{{deadline}}</dd>{{/deadline}}
            </dl>
            <h2>内容</h2><div class="text">{{body}}</div>
            {{#reply}}<h2>答复{{#replyClass}}（{{replyClass}}）{{/replyClass}}</h2><div class="text">{{reply}}</div>{{/reply}}
            <h2>办理过程</h2>
            <ol class="steps">{{#history}}<li><span class="meta">{{time}}</span> {{action}}{{#note}}：{{note}}{{/note}}</li>{{/history}}</ol>
            {{#can_invite_cosigners}}<h2>邀请附议</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="invite-cosigners">
            <label>附议委员编号（以逗号分隔）<input name="members" required maxlength="200" inputmode="numeric"></label>
            <button>邀请附议</button></form>{{/can_invite_cosigners}}
            {{#can_submit}}<h2>提交</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="submit">
            <p class="hint">提交后由提案委员会审查立案，不能再修改。</p><button>提交提案</button></form>{{/can_submit}}
            {{#can_cosign}}<h2>附议</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="cosign"><button>同意附议</button></form>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="decline"><button class="secondary">谢绝附议</button></form>{{/can_cosign}}
            {{#can_sign_for}}<h2>签收</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="sign-for"><button>签收办理</button></form>{{/can_sign_for}}
            {{#can_reply}}<h2>答复</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="reply">
            <label>答复类别<select name="class">{{#replyClasses}}<option value="{{value}}">{{label}}</option>{{/replyClasses}}</select></label>
            <label>沟通方式<select name="contact">{{#contacts}}<option value="{{value}}">{{label}}</option>{{/contacts}}</select></label>
            <label>答复内容<textarea name="text" required maxlength="\(most("text"))" class="tall"></textarea></label>
            <button>提交答复</button></form>{{/can_reply}}
            {{#can_countersign}}<h2>会签</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="countersign"><button>同意答复</button></form>{{/can_countersign}}
            {{#can_return_reply}}<form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="return-reply">
            <label>退回答复的理由<textarea name="reason" required maxlength="1000"></textarea></label><button class="secondary">退回答复</button></form>{{/can_return_reply}}
            {{#can_request_extension}}<h2>申请延期</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="request-extension">
            <label>希望延至<input name="deadline" type="date" required></label>
            <label>理由<textarea name="reason" required maxlength="1000"></textarea></label><button class="secondary">申请延期</button></form>{{/can_request_extension}}
            {{#can_request_return}}<h2>申请退回</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="request-return">
            <label>不属于本单位职责的理由（交办后 10 日内）<textarea name="reason" required maxlength="1000"></textarea></label><button class="secondary">申请退回</button></form>{{/can_request_return}}
            {{#can_feedback}}<h2>对答复的意见</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="feedback">
            <label>满意度<select name="satisfaction">{{#satisfactions}}<option value="{{value}}">{{label}}</option>{{/satisfactions}}</select></label>
            <label>意见<textarea name="reason" maxlength="1000"></textarea></label>
            <button>提交意见</button></form>{{/can_feedback}}
            {{#can_opinion}}<h2>附议人的意见</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="opinion">
            <label>满意度<select name="satisfaction">{{#satisfactions}}<option value="{{value}}">{{label}}</option>{{/satisfactions}}</select></label>
            <label>意见<textarea name="reason" maxlength="1000"></textarea></label>
            <button>提交意见</button></form>{{/can_opinion}}
            {{#can_withdraw}}<h2>撤回</h2>
            <form method="post" action="/proposals/{{id}}/act" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="withdraw">
            <label>撤回的理由<textarea name="reason" required maxlength="1000"></textarea></label><button class="secondary">撤回提案</button></form>{{/can_withdraw}}
            <p><a href="/proposals">返回提案列表</a></p>
            """,
        "account": """
            {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
            {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
            <dl class="facts"><dt>登录名</dt><dd>{{login}}</dd><dt>名称</dt><dd>{{name}}</dd></dl>
            <h2>修改密码</h2>
            <form method="post" action="/account/password" class="card">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>当前密码<input name="current" type="password" autocomplete="current-password" required maxlength="200"></label>
            <label>新密码（至少 10 个字符）<input name="password" type="password" autocomplete="new-password" required maxlength="200"></label>
            <label>再次输入新密码<input name="confirm" type="password" autocomplete="new-password" required maxlength="200"></label>
            <button>修改密码</button>
            </form>
            <h2>通知方式</h2>
            {{#prefs}}<form method="post" action="/account/notifications" class="card">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <p class="hint">通知总会留在“消息”里；下面选择是否同时用其他方式告诉您。</p>
            <label class="row"><input type="checkbox" name="email" value="on"{{#email}} checked{{/email}}> 发邮件</label>
            <label class="row"><input type="checkbox" name="digest" value="on"{{#digest}} checked{{/digest}}> 邮件每天汇总成一封，不逐条发</label>
            <label class="row"><input type="checkbox" name="webhook" value="on"{{#webhook}} checked{{/webhook}}> 推送到本会的消息平台</label>
            <button>保存通知方式</button>
            </form>{{/prefs}}
            {{#prefsUnavailable}}<p class="hint">暂时无法读取通知方式，请稍后再试。</p>{{/prefsUnavailable}}
            <h2>在所有设备上退出</h2>
            <form method="post" action="/logout-everywhere" class="card">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <p class="hint">手机丢失或在别人的电脑上登录过时使用：所有设备（包括这一台）都将退出登录。</p>
            <button class="secondary">在所有设备上退出</button>
            </form>
            """,
        "duty": """
            <dl class="facts"><dt>积分</dt><dd class="code">{{points}}</dd><dt>计分事项</dt><dd>{{counted}} 项</dd>
            {{#pending}}<dt>待确认</dt><dd>{{pending}} 项</dd>{{/pending}}
            <dt>状态</dt><dd>{{#closed}}已结算{{/closed}}{{^closed}}统计中{{/closed}}</dd></dl>
            {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
            <ul class="list">{{#entries}}<li><div class="title">{{kind}} · {{title}}</div><div class="meta">{{date}} · {{status}} · {{points}} 分</div>
            {{#disputed}}<div class="meta">已提出异议，待办公室核实：{{disputed}}</div>{{/disputed}}
            {{#canDispute}}<details><summary>有异议</summary>
            <form method="post" action="/duty/entries/{{id}}/dispute" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
            <label>哪里不对（如：会前已书面请假）<textarea name="reason" required maxlength="500"></textarea></label>
            <button>提交异议</button></form></details>{{/canDispute}}</li>{{/entries}}
            {{^entries}}<li>本年度暂无记录</li>{{/entries}}</ul>
            {{#canRecord}}<h2>登记履职活动</h2>
            <p class="hint">大会发言、视察、调研、培训等由本人登记，办公室确认后计入积分。</p>
            <form method="post" action="/duty" class="card wide">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>类别<select name="kind">{{#kinds}}<option value="{{value}}">{{label}}</option>{{/kinds}}</select></label>
            <label>日期<input type="date" name="date" required min="{{first}}" max="{{last}}"></label>
            <label>事项<input name="title" required maxlength="200" placeholder="如：关于发展文旅产业的大会发言"></label>
            <label>证明材料<input name="evidence" required maxlength="\(most("evidence"))" placeholder="如：大会发言材料第5号、活动照片、同行委员"></label>
            <button>登记</button>
            </form>{{/canRecord}}
            <p><a href="/duty?year={{previous}}">{{previous}}年</a>{{#next}} · <a href="/duty?year={{next}}">{{next}}年</a>{{/next}}</p>
            """,
        "opinions": """
            {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
            <h2>报送社情民意</h2>
            <form method="post" action="/opinions" class="card wide">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>标题<input name="title" required maxlength="200"></label>
            <label>内容（反映的情况、问题和建议）<textarea name="body" required maxlength="\(most("body"))" class="tall"></textarea></label>
            <button>报送</button>
            </form>
            <h2>我报送的</h2>
            <ul class="list">{{#opinions}}<li><div class="title">{{title}}</div><div class="meta">{{time}} · {{state}}</div></li>{{/opinions}}
            {{^opinions}}<li>暂无</li>{{/opinions}}</ul>
            """,
        "public": """
            {{#hasTopics}}<h2>协商议题公示</h2>
            <ul class="list">{{#topics}}<li><a class="title" href="/public/topics/{{id}}">{{title}}</a><div class="meta">{{step}}</div></li>{{/topics}}</ul>{{/hasTopics}}
            {{#hasMeetings}}<h2>近期会议和活动</h2>
            <ul class="list">{{#meetings}}<li><a class="title" href="/public/meetings/{{id}}">{{title}}</a><div class="meta">{{time}}{{#place}} · {{place}}{{/place}}</div></li>{{/meetings}}</ul>{{/hasMeetings}}
            <h2>委员工作站和协商议事室</h2>
            {{#stations}}<h3>{{name}}</h3>{{#address}}<p class="meta">{{address}}</p>{{/address}}
            <ul class="list">{{#rooms}}<li><a class="title" href="/public/rooms/{{id}}">{{name}}</a>{{#address}}<div class="meta">{{address}}</div>{{/address}}</li>{{/rooms}}</ul>{{/stations}}
            """,
        "public-room": """
            <dl class="facts"><dt>地址</dt><dd>{{address}}</dd>{{#district}}<dt>区域</dt><dd>{{district}}</dd>{{/district}}<dt>下沉委员</dt><dd>{{members}} 人</dd></dl>
            <h2>协商议题</h2>
            <ul class="list">{{#topics}}<li><a class="title" href="/public/topics/{{id}}">{{title}}</a><div class="meta">{{step}}</div></li>{{/topics}}
            {{^hasTopics}}<li>暂无公示的议题</li>{{/hasTopics}}</ul>
            <h2>会议和活动</h2>
            <ul class="list">{{#meetings}}<li><a class="title" href="/public/meetings/{{id}}">{{title}}</a><div class="meta">{{time}} · {{status}}</div></li>{{/meetings}}
            {{^hasMeetings}}<li>暂无</li>{{/hasMeetings}}</ul>
            <p><a href="/public">返回公开信息</a></p>
            """,
        "public-topic": """
            <dl class="facts"><dt>进展</dt><dd>{{step}}</dd>{{#solved}}<dt>结果</dt><dd>{{solved}}</dd>{{/solved}}</dl>
            {{#description}}<h2>议题</h2><div class="text">{{description}}</div>{{/description}}
            {{#notices}}<h2>{{step}}</h2><div class="text">{{text}}</div><p class="meta">{{#period}}公示期 {{period}}{{/period}}{{#posted}} · {{posted}}{{/posted}}</p>{{/notices}}
            <p><a href="/public">返回公开信息</a></p>
            """,
        "public-meeting": """
            <dl class="facts"><dt>类型</dt><dd>{{kind}}</dd><dt>时间</dt><dd>{{time}}</dd><dt>地点</dt><dd>{{place}}</dd><dt>状态</dt><dd>{{status}}</dd></dl>
            {{#hasAgenda}}<h2>议程</h2><ol>{{#agenda}}<li>{{.}}</li>{{/agenda}}</ol>{{/hasAgenda}}
            <p><a href="/public">返回公开信息</a></p>
            """,
        "rooms": """
            <ul class="list">{{#rooms}}<li><a class="title" href="/rooms/{{id}}">{{name}}</a>{{#address}}<div class="meta">{{address}}</div>{{/address}}</li>{{/rooms}}
            {{^hasRooms}}<li>您不是协商议事室的召集人、议事会主席或所在工作站的站长。</li>{{/hasRooms}}</ul>
            """,
        "room": """
            {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
            <p class="meta">{{address}} · <a href="/public/rooms/{{id}}">公开页面</a></p>
            <h2>议题</h2>
            <ul class="list">{{#topics}}<li><a class="title" href="/topics/{{id}}">{{title}}</a><div class="meta">{{step}}{{#solved}} · 已解决{{/solved}}</div></li>{{/topics}}
            {{^hasTopics}}<li>暂无议题</li>{{/hasTopics}}</ul>
            {{#convenes}}<h2>协商议事活动</h2>
            <ul class="list">{{#activities}}<li><a class="title" href="/activities/{{id}}">{{title}}</a><div class="meta">{{time}} · {{status}}</div></li>{{/activities}}
            {{^hasActivities}}<li>近半年没有活动</li>{{/hasActivities}}</ul>
            <h2>安排或补记活动</h2>
            <form method="post" action="/rooms/{{id}}/activities" class="card wide">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>活动主题<input name="title" required maxlength="200"></label>
            <label>日期<input name="date" type="date" required value="{{today}}"></label>
            <div class="row"><label>开始<input name="start" type="time" required value="09:00"></label>
            <label>结束<input name="end" type="time" required value="11:00"></label></div>
            <label class="row"><input type="checkbox" name="members" value="1" checked> 邀请本室全体委员</label>
            <label>其他参加人员（每行一位：姓名，单位，类别；类别为 {{categories}}，不写为群众代表）<textarea name="participants" maxlength="5000"></textarea></label>
            <p class="hint">已开展的活动可在一周内补记。委员的出席由您签到记录，计入履职档案；未到场不记缺席。</p>
            <button>发布活动</button>
            </form>
            <h2>记录新议题</h2>
            <form method="post" action="/rooms/{{id}}/topics" class="card wide">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>议题<input name="title" required maxlength="200"></label>
            <label>群众反映的情况<textarea name="description" maxlength="\(most("description"))"></textarea></label>
            <label>来源<select name="source">{{#sources}}<option value="{{value}}">{{label}}</option>{{/sources}}</select></label>
            <label>类别<select name="theme">{{#themes}}<option value="{{value}}">{{label}}</option>{{/themes}}</select></label>
            <button>记录议题</button>
            </form>{{/convenes}}
            """,
        "activity": """
            {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
            <dl class="facts">
            <dt>时间</dt><dd>{{time}}</dd>
            <dt>地点</dt><dd>{{place}}</dd>
            <dt>状态</dt><dd class="state">{{status}}</dd>
            {{#cancelReason}}<dt>取消原因</dt><dd>{{cancelReason}}</dd>{{/cancelReason}}
            {{#closed}}<dt>出席</dt><dd>委员 {{present}} 人，其他参加人员 {{participants}} 人</dd>{{/closed}}
            </dl>
            {{#closed}}{{#hasMinutes}}<h2>纪要</h2><div class="text">{{minutes}}</div>{{/hasMinutes}}{{#hasOutcomes}}<h2>成果</h2><div class="text">{{outcomes}}</div>{{/hasOutcomes}}{{/closed}}
            {{#isDraft}}<p class="hint">这次活动还是草稿，只有您能看到。</p>
            <form method="post" action="/activities/{{id}}/publish" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><button>发布活动</button></form>{{/isDraft}}
            <h2>参加人员</h2>
            {{#canCheckIn}}<form method="post" action="/activities/{{id}}/check-in" class="card wide"><input type="hidden" name="csrf" value="{{csrf}}">{{/canCheckIn}}
            <ul class="list">{{#invitees}}<li>{{#canCheckIn}}<label class="row"><input type="checkbox" name="invitee-{{id}}" value="1"> {{name}}</label>{{/canCheckIn}}{{^canCheckIn}}<span class="title">{{name}}</span>{{/canCheckIn}}
            <div class="meta">{{category}}{{#organisation}} · {{organisation}}{{/organisation}} · <span class="attendance">{{attendance}}</span></div></li>{{/invitees}}
            {{^hasInvitees}}<li>还没有参加人员</li>{{/hasInvitees}}</ul>
            {{#canCheckIn}}<p class="hint">勾选到场的人员（活动开始前两小时起可签到）。</p><button>签到</button></form>{{/canCheckIn}}
            {{#canInvite}}<h2>添加参加人员</h2>
            <form method="post" action="/activities/{{id}}/invite" class="card wide"><input type="hidden" name="csrf" value="{{csrf}}">
            <label>每行一位：姓名，单位，类别（{{categories}}，不写为群众代表）<textarea name="participants" required maxlength="5000"></textarea></label>
            <button class="secondary">添加</button></form>{{/canInvite}}
            {{#canClose}}<h2>结束活动</h2>
            <form method="post" action="/activities/{{id}}/close" class="card wide"><input type="hidden" name="csrf" value="{{csrf}}">
            <label>纪要<textarea name="minutes" maxlength="\(most("minutes"))"></textarea></label>
            <label>成果<textarea name="outcomes" maxlength="\(most("outcomes"))"></textarea></label>
            <p class="hint">结束后出席情况记入委员履职档案，不能再签到。</p>
            <button>结束活动</button></form>{{/canClose}}
            {{#canCancel}}<h2>取消活动</h2>
            <form method="post" action="/activities/{{id}}/cancel" class="card wide"><input type="hidden" name="csrf" value="{{csrf}}">
            <label>原因<input name="reason" required maxlength="500"></label>
            <button class="secondary">取消活动</button></form>{{/canCancel}}
            <p><a href="/rooms/{{roomID}}">返回议事室</a></p>
            """,
        "topic": """
            {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
            <dl class="facts"><dt>进展</dt><dd class="state">{{step}}</dd></dl>
            {{#description}}<h2>群众反映的情况</h2><div class="text">{{description}}</div>{{/description}}
            <h2>六步</h2>
            <ol class="steps">{{#steps}}<li><span class="meta">{{time}}</span> {{step}}{{#notes}}：{{notes}}{{/notes}}{{#posted}}<div class="text">公示：{{posted}}</div>{{/posted}}</li>{{/steps}}</ol>
            {{#next}}<h2>下一步：{{label}}</h2>
            <form method="post" action="/topics/{{id}}/advance" class="card wide">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="step" value="{{value}}">
            {{#consulted}}<label>协商议事会议<select name="meeting">{{#meetings}}<option value="{{id}}">{{title}}</option>{{/meetings}}</select></label>{{/consulted}}
            <label>做了什么<textarea name="notes" maxlength="2000"></textarea></label>
            {{#needsNotice}}<label>公示内容<textarea name="notice" required maxlength="\(most("text"))"></textarea></label>
            <label>公示地点<input name="posted_at" required maxlength="200" placeholder="如：新华社区居务公开栏"></label>
            <label>公示开始<input name="from" type="date" required value="{{today}}"></label>
            <label>公示结束<input name="to" type="date" required value="{{today}}"></label>{{/needsNotice}}
            {{#feedback}}<label class="row"><input type="checkbox" name="solved" value="1"> 问题已解决</label>{{/feedback}}
            <button>记录{{label}}</button>
            </form>{{/next}}
            <p><a href="/rooms/{{roomID}}">返回议事室</a></p>
            """,
    ]

    static let stylesheet = """
        *{box-sizing:border-box}body{margin:0;font:16px/1.6 "Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#222;background:#f5f3ef}
        header{background:#a61b1b;color:#fff;padding:.6rem 1rem}header a{color:#fff;text-decoration:none}
        .bar{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem 1.2rem;max-width:960px;margin:0 auto}.brand{font-weight:700;font-size:1.1rem}
        nav{display:flex;flex-wrap:wrap;gap:.1rem .9rem}nav a{padding:.2rem 0;border-bottom:2px solid transparent;white-space:nowrap}nav a:hover{border-color:#fff}
        .who{max-width:960px;margin:.2rem auto 0;font-size:.9rem;opacity:.95}
        main{max-width:960px;margin:0 auto;padding:1rem}h1{font-size:1.4rem;margin:.4rem 0 1rem}h2{font-size:1.1rem;margin-top:1.6rem}h3{font-size:1rem;margin:1rem 0 .3rem}
        .card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem;display:flex;flex-direction:column;gap:.8rem;max-width:520px}
        label{display:flex;flex-direction:column;gap:.3rem;font-size:.95rem}
        input,select,textarea{font:inherit;padding:.55rem;border:1px solid #bbb;border-radius:6px;width:100%}textarea{min-height:6rem}
        button{font:inherit;background:#a61b1b;color:#fff;border:0;border-radius:6px;padding:.6rem 1rem;cursor:pointer}
        button.small{padding:.3rem .7rem;font-size:.9rem}button.secondary{background:#fff;color:#a61b1b;border:1px solid #a61b1b}
        a.button{display:inline-block;background:#a61b1b;color:#fff;border-radius:6px;padding:.55rem 1rem;text-decoration:none}
        .card.wide{max-width:760px}textarea.tall{min-height:14rem}label.row{flex-direction:row;align-items:center;gap:.5rem}label.row input{width:auto}
        .tag{display:inline-block;background:#f1ebe4;border-radius:4px;padding:0 .4rem;margin:.1rem 0}.card+.card{margin-top:.6rem}button.link{background:none;color:#fff;text-decoration:underline;padding:0 .3rem}
        .inline{display:inline}.list{list-style:none;padding:0;margin:0}
        .list li{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.8rem 1rem;margin-bottom:.6rem;overflow-wrap:anywhere}
        .list li.unread{border-left:4px solid #a61b1b}.title{font-weight:600}.meta{color:#666;font-size:.88rem;overflow-wrap:anywhere}.body,.text{white-space:pre-wrap;overflow-wrap:anywhere}
        .dot{background:#a61b1b;color:#fff;border-radius:4px;font-size:.75rem;padding:0 .35rem;margin-right:.4rem}
        .facts{display:grid;grid-template-columns:6rem 1fr;gap:.4rem .8rem;background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem}
        .facts dt{color:#666}.facts dd{margin:0;overflow-wrap:anywhere}.code{font-size:1.3rem;letter-spacing:.1em;font-weight:700}
        .error{background:#fdecea;border:1px solid #e0a5a0;color:#8a1c12;padding:.6rem .8rem;border-radius:6px;overflow-wrap:anywhere}
        .problems{margin:.4rem 0;padding-left:1.3rem}.problems li{margin:.3rem 0;overflow-wrap:anywhere}
        .ok{background:#eaf6ea;border:1px solid #a9d3a9;color:#1d5e1d;padding:.6rem .8rem;border-radius:6px;overflow-wrap:anywhere}
        .hint,.summary{color:#555;font-size:.92rem}.login{font-size:1.1rem}.steps{padding-left:1.2rem}
        footer{max-width:960px;margin:2rem auto;padding:0 1rem;color:#888;font-size:.85rem}
        @media (min-width:760px){main{padding:1.5rem 1rem}}
        """
}
