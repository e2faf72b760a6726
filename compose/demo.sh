#!/usr/bin/env bash
# `make demo`: starts the suite with the local runner on a fresh data folder and drives a
# realistic scenario through the gateway, as the secretariat's staff would. The figures are
# Jiayuguan's (docs/DOMAIN.md): 175 members, 10 work stations, 46 consultation rooms.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${XIESHANG_BIN:-$(swift build --show-bin-path)}
export XIESHANG_BIN=$bin
run_dir=run/demo
export XIESHANG_MEMBER_REGISTRY_RPC=${XIESHANG_MEMBER_REGISTRY_RPC:-tcp://127.0.0.1:7101}
export XIESHANG_MEMBER_REGISTRY_EVENTS=${XIESHANG_MEMBER_REGISTRY_EVENTS:-tcp://127.0.0.1:7102}
export XIESHANG_MEETING_SCHEDULER_RPC=${XIESHANG_MEETING_SCHEDULER_RPC:-tcp://127.0.0.1:7201}
export XIESHANG_MEETING_SCHEDULER_EVENTS=${XIESHANG_MEETING_SCHEDULER_EVENTS:-tcp://127.0.0.1:7202}
export XIESHANG_PROPOSAL_TRACKER_RPC=${XIESHANG_PROPOSAL_TRACKER_RPC:-tcp://127.0.0.1:7301}
export XIESHANG_PROPOSAL_TRACKER_EVENTS=${XIESHANG_PROPOSAL_TRACKER_EVENTS:-tcp://127.0.0.1:7302}
export XIESHANG_TRACKER_ENDPOINT=$XIESHANG_PROPOSAL_TRACKER_RPC
export XIESHANG_NOTIFIER_RPC=${XIESHANG_NOTIFIER_RPC:-tcp://127.0.0.1:7401}
export XIESHANG_NOTIFIER_ENDPOINT=$XIESHANG_NOTIFIER_RPC
export XIESHANG_REGISTRY_ENDPOINT=$XIESHANG_MEMBER_REGISTRY_RPC
export XIESHANG_SCHEDULER_ENDPOINT=$XIESHANG_MEETING_SCHEDULER_RPC
gateway() { "$bin/gateway" "$@"; }
step() { printf '\n== %s\n' "$*"; }
show() { printf '$ gateway %s\n' "$*"; "$bin/gateway" "$@"; }

compose/xieshang-local stop --run-dir "$run_dir" >/dev/null 2>&1 || true
rm -rf "$run_dir"
trap 'compose/xieshang-local stop --run-dir "$run_dir"' EXIT

step "Start the suite: member-registry, meeting-scheduler, proposal-tracker, notifier, duty-record and the web portal (with CURVE keys)"
compose/xieshang-local start --run-dir "$run_dir"
export XIESHANG_KEYS_DIR=$run_dir/keys

step "Keys: the runner made a pair per service and an admin pair; the secretariat gets its own"
show keys generate secretariat --dir "$XIESHANG_KEYS_DIR"
show keys allow secretariat --role staff
kill -HUP $(cat "$run_dir"/*.pid)   # services reload allow-lists on SIGHUP (or within a second)
export XIESHANG_IDENTITY=secretariat
echo "\$ gateway term list   # without a key: refused"
XIESHANG_KEYS_DIR= "$bin/gateway" term list || echo "(exit status $?: not authenticated, as it should be)"

step "The tenth term (第十届), its 10 work stations, 46 consultation rooms built to 六有 and 6 handling units"
show term add --number 10 --start 2022-01-15 --end 2027-01-14
stations=(雄关街道 钢城街道 五一街道 新华街道 前进街道 胜利街道 建设街道 峪泉镇 文殊镇 新城镇)
for s in "${stations[@]}"; do gateway station add --name "${s}委员工作站" --district "$([[ $s == *镇 ]] && echo 郊区 || echo 雄关区)" >/dev/null; done
room=0
for i in "${!stations[@]}"; do
  count=$([ "$i" -lt 6 ] && echo 5 || echo 4)
  for n in $(seq 1 "$count"); do
    room=$((room + 1))
    gateway room add --name "${stations[$i]}第${n}社区协商议事室" --station $((i + 1)) --capacity $((20 + n * 5)) --has all >/dev/null
  done
done
show station list
for u in "市教育局 政府部门 李明 0937-6212345" "市住房和城乡建设局 政府部门 王刚 0937-6223456" \
         "市卫生健康委员会 政府部门 赵丽 0937-6234567" "市自然资源局 政府部门 孙强 0937-6245678" \
         "市交通运输局 政府部门 周平 0937-6256789" "市民政局 政府部门 吴敏 0937-6267890"; do
  read -r name kind contact phone <<<"$u"
  gateway unit add --name "$name" --kind "$kind" --contact "$contact" --phone "$phone" >/dev/null
done
show unit list

step "Import the 175 members from CSV, then the same file again (nothing changes)"
show member import compose/demo/members.csv
show member import compose/demo/members.csv

step "A file with bad rows: every problem is reported and nothing is written"
show member import compose/demo/members-with-errors.csv || echo "(exit status $?: refused, as it should be)"

step "Find members: by sector, by Chinese substring, by role"
show member list --sector 教育界 --page-size 8
show member search 第一人民医院
show member list --role 副主席

step "Groups the scheduler will invite"
show member resolve chairpersons-council
show member resolve standing-committee | sed -n 1,2p
show member resolve sector 经济界 | sed -n 1,2p
show member resolve committee 提案委员会 | sed -n 1,2p

step "下沉: every member to a consultation room, every room with members (full coverage)"
for m in $(seq 1 175); do gateway member assign "$m" --room $(( (m - 1) % 46 + 1 )) >/dev/null; done
show room list --station 1
show member resolve station 1

step "A member asks to resign (申请辞去) and stays 在任 until the 常委会 decides; bad input is refused with the field named"
show member resign 12 --reason 工作调动，已离开嘉峪关 --date 2026-11-10 | grep -E '^[$] |姓名|状态|申请辞去'
show member add --number 5300 --name 测试 --sector 教育界 --phone 12345 --email nobody || echo "(exit status $?: refused)"
show member get 999 || echo "(exit status $?: not found)"
show member history 12

step "Meetings: the chairperson's council by group, in the committee's own meeting room; it gets its number on publishing"
show meeting schedule --title 研究2027年度协商工作计划 --kind 主席会议 --start "2026-11-23 09:00" --minutes 120 \
  --venue 市政协机关第一会议室 --group chairpersons-council | sed -n 1,12p
show meeting agenda 1 --item "审议2027年度协商工作计划（草案）|60|秘书长" --item "通报提案办理情况|30|提案委员会" \
  --document 1=年度协商计划 | grep -E '^[$] |议题'
show meeting publish 1 | grep -E '^[$] |名称|邀请人数'

step "The 常委会会议 is drafted; the 主席会议 passes the plan on to it (提请常委会), to be voted on there"
show meeting schedule --title 审议2027年度协商工作计划 --kind 常委会会议 --start "2026-11-23 10:30" --minutes 120 --venue 市政协机关常委会议室 \
  --group standing-committee | grep -E '^[$] |^id'
show meeting decide 1 --item 1 --outcome 常委会通过 --for 5 || echo "(exit status $?: refused, a 主席会议 does not approve)"
show meeting decide 1 --item 1 --outcome 提请常委会

step "Conflicts: the council's members are required elsewhere"
show meeting publish 2 || echo "(exit status $?: refused)"
show meeting publish 2 --override "主席会议结束后接续召开，已协调" | grep -E '^[$] |名称|conflict'

step "A 1+7+3 grassroots consultation in a room: members, residents, officials"
show meeting find-slot --from "2026-12-07 08:00" --to "2026-12-11 18:00" --minutes 90 --room 3 --member 5 --member 20
show meeting schedule --title 老旧小区加装电梯怎么办 --kind 协商议事活动 --start "2026-11-24 14:30" --minutes 90 --room 3 --group room:3 | grep -E '^[$] |^id'
show meeting invite 3 --participant "王秀兰|雄关街道新华社区|群众代表" --participant "刘建设|市住房和城乡建设局|部门负责人" \
  --participant "陈立|电梯维保公司|利益相关方" | grep -E '^[$] |群众代表|部门负责人|利益相关方'
show meeting publish 3 | grep -E '^[$] |名称|邀请人数'
show meeting schedule --title 专题调研座谈 --kind 调研 --start "2026-11-24 15:00" --minutes 60 --room 3 || echo "(exit status $?: refused, the room is taken)"

step "Attendance: leave, approval, check-in by code, close with the attendance rate"
gateway meeting show 3 --json > "$run_dir/meeting-3.json"
# Members first: one on leave, one checking in by code, one more present, the last absent;
# the residents and officials come (participants, apart from 应到) but for one.
members() { python3 -c "import json,sys; i=[x for x in json.load(open(sys.argv[1]))['invitees'] if x['memberID']]; print($1)" "$run_dir/meeting-3.json"; }
read -r first second <<<"$(members "i[0]['id'], i[1]['checkInCode']")"
show meeting leave 3 --invitee "$first" --type 出差 --reason 赴兰州参加培训 | grep -E '^[$] |请假'
show meeting approve-leave 3 --invitee "$first" | grep -E '^[$] |准假'
show meeting check-in 3 --code "$second" | grep -E '^[$] |签到'
for i in $(members "i[2]['id']") $(python3 -c "import json,sys; print(' '.join(str(x['id']) for x in json.load(open(sys.argv[1]))['invitees'] if not x['memberID']))" "$run_dir/meeting-3.json"); do
  gateway meeting check-in 3 --invitee "$i" >/dev/null
done
show meeting close 3 --minutes "同意按“业主自愿、政府补贴”推进" --outcomes "形成协商意见3条，报市住建局"

step "The 常委会会议 held: 应到 the standing committee, more than half present is its quorum"
gateway meeting show 2 --json > "$run_dir/meeting-2.json"
for i in $(python3 -c "import json,sys; i=json.load(open(sys.argv[1]))['invitees']; print(' '.join(str(x['id']) for x in i[:30]))" "$run_dir/meeting-2.json"); do
  gateway meeting check-in 2 --invitee "$i" >/dev/null
done
show meeting decide 2 --item 1 --outcome 常委会通过 --for 40 || echo "(exit status $?: refused, more votes than members present)"
show meeting decide 2 --item 1 --outcome 常委会通过 --for 28 --against 0 --abstain 2
show meeting close 2 --minutes "审议通过2027年度协商工作计划" --outcomes "协商计划提请全体委员会议"
gateway meeting show 1 | grep -E '议题'   # the 主席会议's item says how the 常委会 decided
show member decide 12 --decision accept-resignation --meeting-id 2 | grep -E '^[$] |姓名|状态|常委会决定'
show meeting list --from 2026-11-01 --to 2027-01-01
show meeting ical --committee --output "$run_dir/committee.ics"
grep -E "^(SUMMARY|DTSTART|STATUS|SEQUENCE)" "$run_dir/committee.ics" | head -n 8

step "A proposal (提案) from draft to a satisfied member: a key proposal (重点提案) a 副主席 supervises, its reply signed off (会签) by the assisting unit"
show proposal create --member 13 --title 关于加快老旧小区加装电梯的建议 --body "全市2000年前建成的住宅多无电梯，老年住户出行困难……" --category 城市建设 | grep -E '^[$] |^id|案由'
show proposal act 1 invite-cosigners --as member:13 --member 20 --member 21 | sed -n 1,2p
show proposal act 1 cosign --as member:20 | sed -n 1,2p
show proposal act 1 file --as staff || echo "(exit status $?: the workflow says what is allowed)"
show proposal act 1 submit --as member:13 | sed -n 1,2p
show proposal act 1 file --as staff | sed -n 1,2p
show proposal act 1 assign --as staff --lead-unit 2 --assist 4 | sed -n 1,2p
# The 主席会议 (meeting 1) chose it as a key proposal; 陆丽, 副主席 (member 8), supervises it.
show proposal act 1 designate-key --supervisor 8 --meeting 1 | sed -n 1,2p
show proposal act 1 sign-for --as unit:2 | sed -n 1,2p
show proposal act 1 reply --as unit:2 --class B --contact 面谈 --text "已列入2027年改造计划，首批12部" | sed -n 1,2p
show proposal act 1 feedback --as member:13 --satisfaction 满意 || echo "(exit status $?: the reply waits for the assisting unit's 会签)"
show proposal act 1 countersign --as unit:4 --reason 同意，规划审批已开通绿色通道 | sed -n 1,2p
show proposal act 1 feedback --as member:13 --satisfaction 不满意 --reason 进度偏慢 | sed -n 1,2p
show proposal act 1 reply --as unit:2 --class B --contact 座谈会 --text "已开工6部，余下年内完成" | sed -n 1,2p
show proposal act 1 return-reply --as unit:4 --reason "开工数量与规划许可不符，应为5部" | sed -n 1,2p
show proposal act 1 reply --as unit:2 --class B --contact 座谈会 --text "已开工5部，余下年内完成" | sed -n 1,2p
show proposal act 1 countersign --as unit:4 | sed -n 1,2p
show proposal act 1 opinion --as member:20 --satisfaction 基本满意 --reason 希望加快进度 | sed -n 1,2p
show proposal act 1 feedback --as member:21 --satisfaction 满意 || echo "(exit status $?: only the proposer gives feedback)"
show proposal act 1 feedback --as member:13 --satisfaction 满意 | sed -n 1,2p
show proposal act 1 close --as staff | sed -n 1,2p
show proposal history 1

step "Other outcomes of review: not filed, referred; and what is overdue"
gateway proposal create --member 30 --title 关于设立城市吉祥物的建议 --body 建议 >/dev/null
gateway proposal act 2 submit --as member:30 >/dev/null
show proposal act 2 not-file --as staff --reason 不属于提案受理范围 | sed -n 1,2p
gateway proposal create --member 31 --title 关于某小区夜间施工扰民的反映 --body 反映 >/dev/null
gateway proposal act 3 submit --as member:31 >/dev/null
show proposal act 3 refer --as staff --channel 社情民意 | sed -n 1,2p
gateway proposal create --member 32 --title 关于增加中小学课后服务的建议 --body 建议 >/dev/null
gateway proposal act 4 submit --as member:32 >/dev/null
gateway proposal act 4 file --as staff >/dev/null
gateway proposal act 4 assign --as staff --lead-unit 1 --deadline "$(date -d '+5 days' +%Y-%m-%d)" >/dev/null
show proposal overdue --within 7
show proposal list

step "社情民意: a member's item sent up to the province, adopted there and instructed on; the referral above became one too"
show opinion submit --member 20 --title 关于农村留守老人助餐难的反映 --body "新城镇多个村反映留守老人就餐不便，建议推广村级互助助餐点。" | grep -E '^[$] |^id|状态'
show opinion act 2 edit --title 关于破解农村留守老人助餐难的建议 --note 精简标题 | sed -n 1,2p
show opinion act 2 report --level 省级 --to 省政协办公厅 | sed -n 1,2p
show opinion act 2 adopt --level 省级 --used-in "省政协《社情民意》2026年第12期" | sed -n 1,2p
show opinion act 2 instruct --level 省级 --leader 副省长 --text "请省民政厅研究推广" | sed -n 1,2p
show opinion list
show opinion stats

step "A consultation topic through the six steps, consulted at meeting 3"
show topic create --title 老旧小区加装电梯 --room 3 --theme 基层民主 --source 民情大走访 --description "居民多次反映上下楼难" | sed -n 1p
for s in "decided 列入第四季度议题" "researched 走访住户120户，召开楼栋会3次"; do
  read -r step notes <<<"$s"
  gateway topic advance 1 "$step" --notes "$notes" >/dev/null
done
gateway topic advance 1 consulted --meeting 3 --notes "1+7+3协商，形成意见3条" >/dev/null
show topic advance 1 publicised --notes "社区公示7天" --notice "老旧小区加装电梯按“业主自愿、政府补贴”推进，首批3部" \
  --posted-at 新华社区居务公开栏 --from 2026-11-25 --to 2026-12-01 | grep -E '^[$] |公开公示'
first_in_room=$(gateway member list --room 3 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["members"][0]["id"])')
sleep 1   # the notifier applies the tracker's event
echo "\$ gateway inbox --member $first_in_room   # a member of room 3 is told of the notice"
gateway inbox --member "$first_in_room" | grep -E '协商成果公示' || echo "(not yet delivered)"
gateway topic advance 1 implemented --notes "住建局牵头实施" >/dev/null
show topic advance 1 feedback --notes "已加装3部电梯" --solved --notice "首批3部电梯已投入使用，感谢居民参与" \
  --posted-at 新华社区居务公开栏 --from 2026-12-01 --to 2026-12-08
show proposal stats

step "What members and units were told (the notifier's inboxes)"
sleep 2
show inbox --member 13 --limit 6
show inbox --unit 2 --limit 3
show inbox --member 6 --limit 3
show inbox --member 8 --limit 3   # the 副主席 supervising the key proposal
show notify send --group sector:教育界 --title 调研通知 --body "请于12月10日前提交“双减”落实情况调研报告"
show notify prefs --member 13 --digest on

step "Member 13 with a key of their own: their inbox, not another member's, and no staff work"
gateway keys generate member-13 >/dev/null
show keys allow member-13 --role member --principal 13
kill -HUP $(cat "$run_dir"/*.pid)
XIESHANG_IDENTITY=member-13 show inbox --member 13 --limit 2
XIESHANG_IDENTITY=member-13 show inbox --member 6 || echo "(exit status $?: permission denied, as it should be)"
XIESHANG_IDENTITY=member-13 show meeting publish 1 || echo "(exit status $?: permission denied, as it should be)"

step "履职: the members' record of duty, from the meetings, proposals and 社情民意 above and what staff record"
show duty record --member 13 --kind 大会发言 --date 2026-11-20 --title 关于推进老旧小区改造的大会发言 --evidence 大会发言材料第5号 | grep -E '^[$] |类别|分 points'
XIESHANG_IDENTITY=member-13 show duty record --kind 参加调研 --date 2026-11-18 --title 加装电梯入户调研 --evidence 调研照片已交办公室 | grep -E '^[$] |状态'
sleep 1   # duty-record applies the services' events
XIESHANG_IDENTITY=member-13 show duty show --year 2026
XIESHANG_IDENTITY=member-13 show duty show 20 --year 2026 || echo "(exit status $?: permission denied, as it should be)"
# To a file, then its first lines: `| head` would cut the gateway off mid-write.
printf '$ gateway duty ranking --year 2026\n'
gateway duty ranking --year 2026 > "$run_dir/ranking.txt"
head -n 8 "$run_dir/ranking.txt"; echo "…"; tail -n 1 "$run_dir/ranking.txt"
show duty report --year 2026 --format html --output "$run_dir/duty-2026.html"
printf '$ gateway duty rules\n'
gateway duty rules > "$run_dir/rules.txt"
head -n 7 "$run_dir/rules.txt"; echo "…"

step "The 2027 consultation plan the 常委会 adopted: its items, each to be carried out by a meeting"
gateway plan add --year 2027 --quarter 1 --kind 专题议政性常委会会议 --title 推动文旅产业高质量发展 --lead 办公室 >/dev/null
gateway plan add --year 2027 --quarter 2 --kind 双月协商座谈会 --title 优化营商环境 --lead 经济委员会 >/dev/null
gateway plan add --year 2027 --quarter 3 --kind 界别协商 --title 发展普惠养老服务 --lead 社会和法制委员会 >/dev/null
show meeting schedule --title 推动文旅产业高质量发展专题议政性常委会会议 --kind 专题议政性常委会会议 --start "2027-01-08 09:00" \
  --minutes 180 --venue 市政协机关常委会议室 --plan-item 1 | grep -E '^[$] |^id'
show plan list --year 2027

step "The committee's report: the services' own figures, assembled by the gateway"
period=(--from 2026-01-01 --to "$(date +%Y)-12-31")
# The whole report to a file, then its first lines: `| head` would cut the gateway off mid-write.
printf '$ gateway report %s\n' "${period[*]}"
gateway report "${period[@]}" > "$run_dir/report.txt"
head -n 47 "$run_dir/report.txt"
echo "… (the duty-performance table goes on for all $(gateway report "${period[@]}" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["members"]))') active members)"
gateway report "${period[@]}" --format html --output "$run_dir/report.html"
gateway report "${period[@]}" --format csv --output "$run_dir/report.csv"
echo "The printable report with charts: $PWD/$run_dir/report.html (and $run_dir/report.csv for a spreadsheet)"
echo "The members' 履职报告: $PWD/$run_dir/duty-2026.html"

step "Export the members and show the file"
show member export --output "$run_dir/members-export.csv"
head -n 3 "$run_dir/members-export.csv"

step "Restart the suite: everything is still there"
compose/xieshang-local stop --run-dir "$run_dir"
compose/xieshang-local start --run-dir "$run_dir"
gateway member list --page-size 1 | tail -n 1
gateway meeting list | tail -n 1
gateway proposal list | tail -n 2
show health
show describe proposal-tracker

step "The web portal: a member signs in on their phone"
show portal invite --member 13 > "$run_dir/invitation.txt"
cat "$run_dir/invitation.txt"
show portal list

printf '\nThe report is at %s. (The notifier'"'"'s webhooks and e-mail are off here:\nstart it with --webhook-url and --sendmail to turn them on.)\n' "$PWD/$run_dir/report.html"
# The suite stays up so the portal can be tried; the runner stops it.
trap - EXIT
web=$(grep -m1 '^portal web=' "$run_dir/logs/portal.log" | cut -d= -f2-)
printf '\nThe portal is at %s and the suite is still running.\n' "$web"
printf 'Member 13 (贾秀英) signs in as m13: open the link above, type the code, choose a password,\n'
printf 'then see their inbox, meetings (请假, the check-in code) and proposal 1 with its reply.\n'
printf 'Stop the suite with: compose/xieshang-local stop --run-dir %s\n' "$run_dir"
