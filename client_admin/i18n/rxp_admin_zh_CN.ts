<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AuditView</name>
    <message>
        <source>Audit chain</source>
        <translation>审计链</translation>
    </message>
    <message>
        <source>Verify the audit chain</source>
        <translation>校验审计链</translation>
    </message>
    <message>
        <source>Not verified in this session.</source>
        <translation>本次登录尚未校验。</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>e.g. user.freeze</source>
        <translation>如 user.freeze</translation>
    </message>
    <message>
        <source>e.g. staff_user</source>
        <translation>如 staff_user</translation>
    </message>
    <message>
        <source>Between</source>
        <translation>时间范围</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Record type</source>
        <translation>对象类型</translation>
    </message>
    <message>
        <source>Record id</source>
        <translation>对象编号</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Workstation</source>
        <translation>工作站</translation>
    </message>
    <message>
        <source>IP</source>
        <translation>IP 地址</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Trace</source>
        <translation>追溯</translation>
    </message>
    <message>
        <source>Prescription id, or a traceability code (20 digits or GS1)</source>
        <translation>处方编号（ID），或药品追溯码（20 位数字或 GS1）</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>环节</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>机构</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>正在校验……</translation>
    </message>
    <message>
        <source>INTACT: %1 events and %2 signed checkpoints verified, up to No. %3.</source>
        <translation>完整：已校验 %1 条审计事件和 %2 个签名检查点，截至第 %3 条。</translation>
    </message>
    <message>
        <source>BROKEN: the audit log was changed. %1</source>
        <translation>已被破坏：审计日志遭到篡改。%1</translation>
    </message>
    <message>
        <source>First broken event: No. %1. Search it below.</source>
        <translation>最早被破坏的事件：第 %1 条。可在下方查询。</translation>
    </message>
    <message>
        <source>%1 of %2 events (newest first) · served by %3</source>
        <translation>显示 %1 条，共 %2 条（最新在前）· 数据来源 %3</translation>
    </message>
    <message>
        <source>Enter a prescription id or a traceability code.</source>
        <translation>请输入处方编号（ID）或药品追溯码。</translation>
    </message>
    <message>
        <source>Prescription %1 · %2%3</source>
        <translation>处方 %1 · %2%3</translation>
    </message>
    <message>
        <source> · package %1</source>
        <translation> · 药品包装 %1</translation>
    </message>
</context>
<context>
    <name>CatalogueView</name>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Chronic-disease list only</source>
        <translation>仅慢病目录</translation>
    </message>
    <message>
        <source>Generic name</source>
        <translation>通用名</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>商品名</translation>
    </message>
    <message>
        <source>Specification</source>
        <translation>规格</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>包装</translation>
    </message>
    <message>
        <source>Manufacturer</source>
        <translation>生产企业</translation>
    </message>
    <message>
        <source>Drug class</source>
        <translation>药品类别</translation>
    </message>
    <message>
        <source>Chronic list</source>
        <translation>慢病目录</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <source>Refuse…</source>
        <translation>拒绝…</translation>
    </message>
    <message>
        <source>Suspend…</source>
        <translation>暂停…</translation>
    </message>
    <message>
        <source>Reinstate…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <source>Withdraw…</source>
        <translation>撤销…</translation>
    </message>
    <message>
        <source>Price (yuan)</source>
        <translation>价格（元）</translation>
    </message>
    <message>
        <source>Effective from</source>
        <translation>生效日期</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Entered by</source>
        <translation>录入人</translation>
    </message>
    <message>
        <source>Entered at</source>
        <translation>录入时间</translation>
    </message>
    <message>
        <source>Add price version</source>
        <translation>新增价格版本</translation>
    </message>
    <message>
        <source>New price (yuan)</source>
        <translation>新价格（元）</translation>
    </message>
    <message>
        <source>Price versions of the selected product</source>
        <translation>所选药品的价格版本</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Price version added.</source>
        <translation>已新增价格版本。</translation>
    </message>
</context>
<context>
    <name>CertificateDialog</name>
    <message>
        <source>Register signing key of %1</source>
        <translation>登记 %1 的签名公钥</translation>
    </message>
    <message>
        <source>SM2 with SM3 (national standard)</source>
        <translation>SM2/SM3（国密，默认）</translation>
    </message>
    <message>
        <source>ECDSA P-256 with SHA-256</source>
        <translation>ECDSA P-256 / SHA-256</translation>
    </message>
    <message>
        <source>Public key as PEM (PUBLIC KEY), an X.509 certificate, or hex (04||X||Y)</source>
        <translation>公钥：PEM（PUBLIC KEY）、X.509 证书，或十六进制（04||X||Y）</translation>
    </message>
    <message>
        <source>Algorithm</source>
        <translation>算法</translation>
    </message>
    <message>
        <source>Public key</source>
        <translation>公钥</translation>
    </message>
</context>
<context>
    <name>ConfigurationView</name>
    <message>
        <source>Effective from</source>
        <translation>生效日期</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>地区</translation>
    </message>
    <message>
        <source>Region code prefix (empty: nationwide)</source>
        <translation>地区代码前缀（空为全国）</translation>
    </message>
    <message>
        <source>First weight (g)</source>
        <translation>首重（克）</translation>
    </message>
    <message>
        <source>First fee (yuan)</source>
        <translation>首重费用（元）</translation>
    </message>
    <message>
        <source>Each further (g)</source>
        <translation>续重（克）</translation>
    </message>
    <message>
        <source>Further fee (yuan)</source>
        <translation>续重费用（元）</translation>
    </message>
    <message>
        <source>Why (e.g. the carrier&apos;s new price list)</source>
        <translation>调整说明（如承运商新价目表）</translation>
    </message>
    <message>
        <source>Add region</source>
        <translation>添加地区</translation>
    </message>
    <message>
        <source>Save as new version</source>
        <translation>保存为新版本</translation>
    </message>
    <message>
        <source>Courier tariffs</source>
        <translation>快递资费</translation>
    </message>
    <message>
        <source>Version %1, in effect from %2; entered by %3</source>
        <translation>版本 %1，%2 起生效；录入人 %3</translation>
    </message>
    <message>
        <source>Row %1, %2: not a valid number.</source>
        <translation>第 %1 行，%2：数字填写不正确。</translation>
    </message>
    <message>
        <source>%1: version %2 saved, in effect from %3.</source>
        <translation>%1：已保存版本 %2，%3 起生效。</translation>
    </message>
    <message>
        <source>%1: a value is not a number.</source>
        <translation>%1：有数值填写不正确。</translation>
    </message>
    <message>
        <source>%1 saved.</source>
        <translation>%1已保存。</translation>
    </message>
</context>
<context>
    <name>IncidentsView</name>
    <message>
        <source>Unresolved only</source>
        <translation>只看未修复的</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Affected</source>
        <translation>受影响业务</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Response clock</source>
        <translation>响应时限</translation>
    </message>
    <message>
        <source>Fix clock</source>
        <translation>修复时限</translation>
    </message>
    <message>
        <source>What is not working, in one line</source>
        <translation>一句话说明什么不能用</translation>
    </message>
    <message>
        <source>Symptoms, who is affected</source>
        <translation>现象、影响范围</translation>
    </message>
    <message>
        <source>Record incident</source>
        <translation>登记故障</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>详细说明</translation>
    </message>
    <message>
        <source>General fault: respond within 1 hour, fix within 2 hours. Serious fault (prescribing, circulation or purchase stopped): respond within 15 minutes, fix within 1 hour.</source>
        <translation>一般故障：1 小时内响应，2 小时内修复。严重故障（开方、流转或购药中断）：15 分钟内响应，1 小时内修复。</translation>
    </message>
    <message>
        <source>Record an incident</source>
        <translation>登记故障</translation>
    </message>
    <message>
        <source>Choose an incident in the list.</source>
        <translation>请在列表中选择一个故障单。</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Note, response (what is being done), resolution, or the reason for a new severity</source>
        <translation>备注、响应措施、修复结果或调整级别的原因</translation>
    </message>
    <message>
        <source>Take it</source>
        <translation>确认接单</translation>
    </message>
    <message>
        <source>Record response</source>
        <translation>登记响应</translation>
    </message>
    <message>
        <source>Record fix</source>
        <translation>登记修复</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>Change severity</source>
        <translation>调整级别</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>故障单</translation>
    </message>
    <message>
        <source>Month (Beijing time)</source>
        <translation>月份（北京时间）</translation>
    </message>
    <message>
        <source>Incidents recorded</source>
        <translation>故障数</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>故障单</translation>
    </message>
    <message>
        <source>Response met</source>
        <translation>响应达标</translation>
    </message>
    <message>
        <source>Response missed</source>
        <translation>响应超时</translation>
    </message>
    <message>
        <source>Response running</source>
        <translation>响应计时中</translation>
    </message>
    <message>
        <source>Fix met</source>
        <translation>修复达标</translation>
    </message>
    <message>
        <source>Fix missed</source>
        <translation>修复超时</translation>
    </message>
    <message>
        <source>Fix running</source>
        <translation>修复计时中</translation>
    </message>
    <message>
        <source>Clocks missed</source>
        <translation>超时项</translation>
    </message>
    <message>
        <source>Incidents that missed a clock</source>
        <translation>有时限超时的故障单</translation>
    </message>
    <message>
        <source>Monthly report</source>
        <translation>月度报告</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>剩余 %1</translation>
    </message>
    <message>
        <source>Overdue by %1</source>
        <translation>已超时 %1</translation>
    </message>
    <message>
        <source>response</source>
        <translation>响应</translation>
    </message>
    <message>
        <source>fix</source>
        <translation>修复</translation>
    </message>
    <message>
        <source>%1 %2 (%3): the %4 deadline %5 has passed; escalate now.</source>
        <translation>%1 %2（%3）：%4时限 %5 已过，请立即升级处理。</translation>
    </message>
    <message>
        <source>%1 %2 (%3): the %4 deadline %5 is close, %6 left; act now.</source>
        <translation>%1 %2（%3）：%4时限 %5 即将到期，剩余 %6，请立即处理。</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · recorded by %4 at %5
%6</source>
        <translation>%1 · %2 · %3 · %4 登记于 %5
%6</translation>
    </message>
    <message>
        <source>Write what is being done in the note field.</source>
        <translation>请在备注栏填写正在采取的处理措施。</translation>
    </message>
    <message>
        <source>Write the cause and the fix in the note field.</source>
        <translation>请在备注栏填写故障原因与处理结果。</translation>
    </message>
    <message>
        <source>Write the note first.</source>
        <translation>请先填写备注。</translation>
    </message>
    <message>
        <source>Write the reason for the new severity in the note field.</source>
        <translation>请在备注栏填写调整级别的原因。</translation>
    </message>
    <message>
        <source>%1 taken.</source>
        <translation>已确认接单 %1。</translation>
    </message>
    <message>
        <source>Response to %1 recorded.</source>
        <translation>已登记 %1 的响应。</translation>
    </message>
    <message>
        <source>%1 recorded as fixed.</source>
        <translation>%1 已登记为修复。</translation>
    </message>
    <message>
        <source>Note added to %1.</source>
        <translation>已为 %1 添加备注。</translation>
    </message>
    <message>
        <source>Severity of %1 changed; its clocks follow the new one.</source>
        <translation>%1 的级别已调整，时限按新级别计算。</translation>
    </message>
    <message>
        <source>Title: say in one line what is not working.</source>
        <translation>摘要：请用一句话说明什么不能用。</translation>
    </message>
    <message>
        <source>%1 recorded; its clocks are running.</source>
        <translation>已登记故障 %1，开始计时。</translation>
    </message>
</context>
<context>
    <name>KnowledgeView</name>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>版本说明</translation>
    </message>
    <message>
        <source>Loaded by</source>
        <translation>导入人</translation>
    </message>
    <message>
        <source>Loaded at</source>
        <translation>导入时间</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>在用</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation>规则条数</translation>
    </message>
    <message>
        <source>Use this version</source>
        <translation>启用该版本</translation>
    </message>
    <message>
        <source>What changed (recorded with the version)</source>
        <translation>修改说明（随版本记录）</translation>
    </message>
    <message>
        <source>Use at once</source>
        <translation>导入后立即启用</translation>
    </message>
    <message>
        <source>Add row</source>
        <translation>添加行</translation>
    </message>
    <message>
        <source>Delete row</source>
        <translation>删除行</translation>
    </message>
    <message>
        <source>Save edits as new version</source>
        <translation>保存修改为新版本</translation>
    </message>
    <message>
        <source>Import CSV file…</source>
        <translation>从 CSV 文件导入…</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Validation report: nothing was imported</source>
        <translation>校验报告：未导入任何数据</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>知识库版本</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Version %1 is in use: every check uses it from now on.</source>
        <translation>版本 %1 已启用：此后所有审查均使用该版本。</translation>
    </message>
    <message>
        <source>Version %1 (%2), %3 rules</source>
        <translation>版本 %1（%2），共 %3 条规则</translation>
    </message>
    <message>
        <source>in use</source>
        <translation>在用</translation>
    </message>
    <message>
        <source>not in use</source>
        <translation>未启用</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Imported from %1</source>
        <translation>从 %1 导入</translation>
    </message>
    <message>
        <source>Version %1 stored with %2 %3 rules%4.</source>
        <translation>已保存为版本 %1，含%3 %2 条%4。</translation>
    </message>
    <message>
        <source> and in use</source>
        <translation>，已启用</translation>
    </message>
    <message>
        <source>, not in use yet</source>
        <translation>，尚未启用</translation>
    </message>
    <message numerus="yes">
        <source>Nothing was imported: %n row(s) need fixing.</source>
        <translation>
            <numerusform>未导入任何数据：有 %n 处需要修改。</numerusform>
        </translation>
    </message>
    <message>
        <source>Edited in the administration app</source>
        <translation>在管理端编辑</translation>
    </message>
    <message>
        <source>Import %1</source>
        <translation>导入%1</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Doctor</source>
        <translation>医生</translation>
    </message>
    <message>
        <source>Pharmacist</source>
        <translation>药师</translation>
    </message>
    <message>
        <source>Pharmacy staff</source>
        <translation>药店人员</translation>
    </message>
    <message>
        <source>Hospital administrator</source>
        <translation>医院管理员</translation>
    </message>
    <message>
        <source>System administrator</source>
        <translation>系统管理员</translation>
    </message>
    <message>
        <source>Security administrator</source>
        <translation>安全管理员</translation>
    </message>
    <message>
        <source>Audit administrator</source>
        <translation>审计管理员</translation>
    </message>
    <message>
        <source>System (automatic)</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation>承运商</translation>
    </message>
    <message>
        <source>Assistant physician</source>
        <translation>执业助理医师</translation>
    </message>
    <message>
        <source>Resident physician</source>
        <translation>住院医师</translation>
    </message>
    <message>
        <source>Attending physician</source>
        <translation>主治医师</translation>
    </message>
    <message>
        <source>Associate chief physician</source>
        <translation>副主任医师</translation>
    </message>
    <message>
        <source>Chief physician</source>
        <translation>主任医师</translation>
    </message>
    <message>
        <source>Assistant pharmacist</source>
        <translation>药士</translation>
    </message>
    <message>
        <source>Supervising pharmacist</source>
        <translation>主管药师</translation>
    </message>
    <message>
        <source>Associate chief pharmacist</source>
        <translation>副主任药师</translation>
    </message>
    <message>
        <source>Chief pharmacist</source>
        <translation>主任药师</translation>
    </message>
    <message>
        <source>Ordinary</source>
        <translation>普通药品</translation>
    </message>
    <message>
        <source>Antibiotic (unrestricted)</source>
        <translation>非限制使用级抗菌药</translation>
    </message>
    <message>
        <source>Antibiotic (restricted)</source>
        <translation>限制使用级抗菌药</translation>
    </message>
    <message>
        <source>Antibiotic (special use)</source>
        <translation>特殊使用级抗菌药</translation>
    </message>
    <message>
        <source>Toxic drug</source>
        <translation>医疗用毒性药品</translation>
    </message>
    <message>
        <source>Psychotropic class II</source>
        <translation>第二类精神药品</translation>
    </message>
    <message>
        <source>Psychotropic class I</source>
        <translation>第一类精神药品</translation>
    </message>
    <message>
        <source>Narcotic</source>
        <translation>麻醉药品</translation>
    </message>
    <message>
        <source>Chronic disease list</source>
        <translation>慢病目录药品</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Frozen</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <source>Medical group</source>
        <translation>医疗集团</translation>
    </message>
    <message>
        <source>Hospital</source>
        <translation>医院</translation>
    </message>
    <message>
        <source>Primary-care clinic</source>
        <translation>基层医疗机构</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>科室</translation>
    </message>
    <message>
        <source>Retail pharmacy</source>
        <translation>零售药店</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>待遴选</translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>未通过</translation>
    </message>
    <message>
        <source>Awaiting approval</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>在用</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <source>Store pickup</source>
        <translation>到店自提</translation>
    </message>
    <message>
        <source>Delivery to the hospital</source>
        <translation>配送到院内</translation>
    </message>
    <message>
        <source>Courier</source>
        <translation>快递</translation>
    </message>
    <message>
        <source>By doctor</source>
        <translation>按医生</translation>
    </message>
    <message>
        <source>By department</source>
        <translation>按科室</translation>
    </message>
    <message>
        <source>By drug class</source>
        <translation>按药品类别</translation>
    </message>
    <message>
        <source>By pharmacy</source>
        <translation>按药店</translation>
    </message>
    <message>
        <source>By pharmacist</source>
        <translation>按药师</translation>
    </message>
    <message>
        <source>By day</source>
        <translation>按日</translation>
    </message>
    <message>
        <source>By month</source>
        <translation>按月</translation>
    </message>
    <message>
        <source>By delivery mode</source>
        <translation>按配送方式</translation>
    </message>
    <message>
        <source>Prescriptions and amounts</source>
        <translation>处方量与金额</translation>
    </message>
    <message>
        <source>Pharmacist review</source>
        <translation>药师审方</translation>
    </message>
    <message>
        <source>Fulfilment</source>
        <translation>购药履约</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Prescriptions</source>
        <translation>处方数</translation>
    </message>
    <message>
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <source>Decided</source>
        <translation>审核数</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>驳回</translation>
    </message>
    <message>
        <source>Approved in error</source>
        <translation>抽查差错</translation>
    </message>
    <message>
        <source>Approval rate</source>
        <translation>通过率</translation>
    </message>
    <message>
        <source>Rejection rate</source>
        <translation>驳回率</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>差错率</translation>
    </message>
    <message>
        <source>Average minutes to decision</source>
        <translation>平均审核用时（分钟）</translation>
    </message>
    <message>
        <source>90% decided within (minutes)</source>
        <translation>90% 审核用时内（分钟）</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单数</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Returned or lock expired</source>
        <translation>退回或锁定超时</translation>
    </message>
    <message>
        <source>Average minutes to accept</source>
        <translation>平均接单用时（分钟）</translation>
    </message>
    <message>
        <source>Average hours to the patient</source>
        <translation>平均送达用时（小时）</translation>
    </message>
    <message>
        <source>Interaction pairs</source>
        <translation>相互作用</translation>
    </message>
    <message>
        <source>Dose ranges</source>
        <translation>剂量范围</translation>
    </message>
    <message>
        <source>Allergy classes</source>
        <translation>过敏原类别</translation>
    </message>
    <message>
        <source>Cross-sensitivity</source>
        <translation>交叉过敏</translation>
    </message>
    <message>
        <source>Duplicate therapy classes</source>
        <translation>重复用药类别</translation>
    </message>
    <message>
        <source>Contraindications</source>
        <translation>禁忌证</translation>
    </message>
    <message>
        <source>Incompatibilities</source>
        <translation>配伍禁忌</translation>
    </message>
    <message>
        <source>Insurance rules</source>
        <translation>医保限制</translation>
    </message>
    <message>
        <source>the primary database</source>
        <translation>主库</translation>
    </message>
    <message>
        <source>read replica %1</source>
        <translation>只读副本 %1</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Denied</source>
        <translation>拒绝访问</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Prescription limits</source>
        <translation>处方限制</translation>
    </message>
    <message>
        <source>Review time limits</source>
        <translation>审方时限</translation>
    </message>
    <message>
        <source>Circulation and lock timeouts</source>
        <translation>流转与锁定时限</translation>
    </message>
    <message>
        <source>Validity (days, default)</source>
        <translation>处方有效期（天，默认）</translation>
    </message>
    <message>
        <source>Longest validity when stated (days)</source>
        <translation>医生注明时最长有效期（天）</translation>
    </message>
    <message>
        <source>Longest supply, ordinary (days)</source>
        <translation>普通处方最长用药天数</translation>
    </message>
    <message>
        <source>Longest supply, emergency (days)</source>
        <translation>急诊处方最长用药天数</translation>
    </message>
    <message>
        <source>Longest supply with a stated reason (days)</source>
        <translation>注明理由时最长用药天数</translation>
    </message>
    <message>
        <source>Longest supply, stable chronic patients (days)</source>
        <translation>病情稳定慢病最长用药天数</translation>
    </message>
    <message>
        <source>Most drugs per prescription</source>
        <translation>每张处方最多药品品种数</translation>
    </message>
    <message>
        <source>Classes that do not circulate (comma separated)</source>
        <translation>不得流转的药品类别（逗号分隔）</translation>
    </message>
    <message>
        <source>Outpatient review (minutes)</source>
        <translation>门诊审方时限（分钟）</translation>
    </message>
    <message>
        <source>Emergency review (minutes)</source>
        <translation>急诊审方时限（分钟）</translation>
    </message>
    <message>
        <source>Inpatient review (minutes)</source>
        <translation>住院审方时限（分钟）</translation>
    </message>
    <message>
        <source>Chronic disease review (minutes)</source>
        <translation>慢病审方时限（分钟）</translation>
    </message>
    <message>
        <source>Pharmacy must accept within (minutes; then the lock is released)</source>
        <translation>药店接单时限（分钟，超时释放锁定）</translation>
    </message>
    <message>
        <source>Booking at most (days ahead)</source>
        <translation>最多提前预约（天）</translation>
    </message>
    <message>
        <source>Payment required before handover</source>
        <translation>发货或交付前须已支付</translation>
    </message>
    <message>
        <source>General fault</source>
        <translation>一般故障</translation>
    </message>
    <message>
        <source>Serious fault</source>
        <translation>严重故障</translation>
    </message>
    <message>
        <source>Waiting to be taken</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Being fixed</source>
        <translation>处理中</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>已修复</translation>
    </message>
    <message>
        <source>Prescribing</source>
        <translation>开方</translation>
    </message>
    <message>
        <source>Circulation</source>
        <translation>处方流转</translation>
    </message>
    <message>
        <source>Purchase and delivery</source>
        <translation>购药与配送</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>计时中</translation>
    </message>
    <message>
        <source>Escalated: about to run out</source>
        <translation>即将超时</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已超时</translation>
    </message>
    <message>
        <source>Met</source>
        <translation>按时完成</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>超时完成</translation>
    </message>
    <message>
        <source>Recorded</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>Response recorded</source>
        <translation>已登记响应</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Severity changed</source>
        <translation>调整级别</translation>
    </message>
    <message>
        <source>Response clock escalated</source>
        <translation>响应即将超时，已升级</translation>
    </message>
    <message>
        <source>Response clock ran out</source>
        <translation>响应已超时</translation>
    </message>
    <message>
        <source>Fix clock escalated</source>
        <translation>修复即将超时，已升级</translation>
    </message>
    <message>
        <source>Fix clock ran out</source>
        <translation>修复已超时</translation>
    </message>
    <message>
        <source>Card reader</source>
        <translation>读卡器</translation>
    </message>
    <message>
        <source>Code scanner</source>
        <translation>扫码器</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Out of paper</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <source>Cover open</source>
        <translation>机盖未关</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Paper jam</source>
        <translation>卡纸</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Hospital administration · %1 (%2)</source>
        <translation>医院管理 · %1（%2）</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Organisations</source>
        <translation>机构与科室</translation>
    </message>
    <message>
        <source>Pharmacy onboarding</source>
        <translation>药店遴选</translation>
    </message>
    <message>
        <source>Catalogue</source>
        <translation>药品目录</translation>
    </message>
    <message>
        <source>Rights</source>
        <translation>权限矩阵</translation>
    </message>
    <message>
        <source>Knowledge data</source>
        <translation>知识库</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>参数配置</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>统计</translation>
    </message>
    <message>
        <source>Audit and trace</source>
        <translation>审计与追溯</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>故障管理</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统状态</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
</context>
<context>
    <name>OrganisationDialog</name>
    <message>
        <source>New organisation under %1</source>
        <translation>在 %1 下新增机构</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
</context>
<context>
    <name>OrganisationsView</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Add under selected…</source>
        <translation>在所选机构下新增…</translation>
    </message>
    <message>
        <source>%1 added.</source>
        <translation>已新增 %1。</translation>
    </message>
    <message>
        <source>Select the group, a hospital or a clinic first.</source>
        <translation>请先选择集团、医院或基层医疗机构。</translation>
    </message>
</context>
<context>
    <name>Page</name>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
</context>
<context>
    <name>PharmaciesView</name>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <source>Refuse…</source>
        <translation>拒绝…</translation>
    </message>
    <message>
        <source>Suspend…</source>
        <translation>暂停…</translation>
    </message>
    <message>
        <source>Reinstate…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>RightsView</name>
    <message>
        <source>Save prescribing rights</source>
        <translation>保存处方权限</translation>
    </message>
    <message>
        <source>Save reviewing rights</source>
        <translation>保存审方权限</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>科室</translation>
    </message>
    <message>
        <source>Rows: professional titles; columns: drug classes. A tick lets doctors of that title in this department prescribe the class.</source>
        <translation>行为职称，列为药品类别。勾选表示本科室该职称的医生可开具该类药品。</translation>
    </message>
    <message>
        <source>Rows: pharmacist levels; columns: drug classes. One matrix for the whole group.</source>
        <translation>行为药师职称，列为药品类别。全集团共用一张审方权限表。</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>模板</translation>
    </message>
    <message>
        <source>Diagnoses</source>
        <translation>诊断</translation>
    </message>
    <message>
        <source>Drugs</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Remove template…</source>
        <translation>删除模板…</translation>
    </message>
    <message>
        <source>Templates the department&apos;s doctors share (doctors save them from their prescribing app).</source>
        <translation>本科室医生共用的处方模板（由医生在开方端保存）。</translation>
    </message>
    <message>
        <source>Prescribing rights</source>
        <translation>处方权限</translation>
    </message>
    <message>
        <source>Reviewing rights</source>
        <translation>审方权限</translation>
    </message>
    <message>
        <source>Department templates</source>
        <translation>科室模板</translation>
    </message>
    <message>
        <source>Template %1 removed.</source>
        <translation>已删除模板 %1。</translation>
    </message>
    <message>
        <source>Remove template</source>
        <translation>删除模板</translation>
    </message>
    <message>
        <source>Remove the department template %1? Doctors of the department will no longer see it.</source>
        <translation>删除科室模板 %1？本科室医生将不再看到该模板。</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>没有修改。</translation>
    </message>
    <message>
        <source>Prescribing rights of %1 saved.</source>
        <translation>%1 的处方权限已保存。</translation>
    </message>
    <message>
        <source>Reviewing rights saved.</source>
        <translation>审方权限已保存。</translation>
    </message>
</context>
<context>
    <name>SettingGroup</name>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Workstation configuration</source>
        <translation>工作站配置</translation>
    </message>
    <message>
        <source>Log in · Hospital administration</source>
        <translation>登录 · 医院管理</translation>
    </message>
</context>
<context>
    <name>StatisticsView</name>
    <message>
        <source>Show</source>
        <translation>统计</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export XLSX…</source>
        <translation>导出 Excel…</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>The start date must be on or before the end date.</source>
        <translation>开始日期不能晚于结束日期。</translation>
    </message>
    <message>
        <source>%1 rows · served by %2</source>
        <translation>共 %1 行 · 数据来源 %2</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>No figures in this period</source>
        <translation>该期间没有数据</translation>
    </message>
    <message>
        <source>Show figures before exporting them.</source>
        <translation>请先统计，再导出。</translation>
    </message>
    <message>
        <source>Period: %1 to %2</source>
        <translation>统计期间：%1 至 %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Exported to %1.</source>
        <translation>已导出到 %1。</translation>
    </message>
    <message>
        <source>Export statistics</source>
        <translation>导出统计</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
</context>
<context>
    <name>SystemView</name>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Primary database</source>
        <translation>主数据库</translation>
    </message>
    <message>
        <source>Database schema</source>
        <translation>数据库结构</translation>
    </message>
    <message>
        <source>Overall</source>
        <translation>总体</translation>
    </message>
    <message>
        <source>Server and database</source>
        <translation>服务器与数据库</translation>
    </message>
    <message>
        <source>Replica</source>
        <translation>只读副本</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Lag (seconds)</source>
        <translation>复制延迟（秒）</translation>
    </message>
    <message>
        <source>No read replica is configured: statistics and searches read from the primary.</source>
        <translation>未配置只读副本：统计与查询由主库提供。</translation>
    </message>
    <message>
        <source>Read replicas</source>
        <translation>只读副本</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>立即检查</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>Given up after retries</source>
        <translation>多次重试后放弃</translation>
    </message>
    <message>
        <source>Oldest waiting since</source>
        <translation>最早待发送时间</translation>
    </message>
    <message>
        <source>Outgoing messages to patients (SMS)</source>
        <translation>发给患者的消息（短信）</translation>
    </message>
    <message>
        <source>Destination</source>
        <translation>目的地</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>待投递</translation>
    </message>
    <message>
        <source>Due now</source>
        <translation>已到投递时间</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>死信</translation>
    </message>
    <message>
        <source>Nothing has been sent to another system yet.</source>
        <translation>尚未向其他系统发送过消息。</translation>
    </message>
    <message>
        <source>Receiver</source>
        <translation>接收方</translation>
    </message>
    <message>
        <source>Ordering key</source>
        <translation>顺序键</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>最后错误</translation>
    </message>
    <message>
        <source>Given up at</source>
        <translation>放弃时间</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重新投递</translation>
    </message>
    <message>
        <source>Dead letters: the relay gave up on these; later messages of the same ordering key wait behind them.</source>
        <translation>死信：多次投递失败后已放弃；同一顺序键的后续消息在其后等待。</translation>
    </message>
    <message>
        <source>Messages to other systems (HIS)</source>
        <translation>发往其他系统的消息（HIS）</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>自助机</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>本状态起始</translation>
    </message>
    <message>
        <source>Last report</source>
        <translation>最近上报</translation>
    </message>
    <message>
        <source>No kiosk has reported its devices yet.</source>
        <translation>尚无自助机上报设备状态。</translation>
    </message>
    <message>
        <source>Kiosk devices</source>
        <translation>自助机设备</translation>
    </message>
    <message>
        <source>Message to %1 put back in the queue (%2).</source>
        <translation>发往 %1 的消息已重新排队（%2）。</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Answering</source>
        <translation>正常响应</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Down (%1)</source>
        <translation>不可用（%1）</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>已是最新</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>未就绪</translation>
    </message>
</context>
<context>
    <name>UserDialog</name>
    <message>
        <source>Edit user</source>
        <translation>编辑用户</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>新建用户</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>机构</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>科室</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>初始密码</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Professional title</source>
        <translation>职称</translation>
    </message>
    <message>
        <source>Pharmacist level</source>
        <translation>药师职称</translation>
    </message>
</context>
<context>
    <name>UserForm</name>
    <message>
        <source>Separation of duties: one account may not be %1 at once. Choose one of them.</source>
        <translation>三权分立：同一账号不得同时担任%1，请只选其一。</translation>
    </message>
    <message>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <source>3 to 64 letters, digits, dots, hyphens or underscores.</source>
        <translation>3–64 位字母、数字、点、连字符或下划线。</translation>
    </message>
    <message>
        <source>Choose at least one role.</source>
        <translation>请至少选择一个角色。</translation>
    </message>
    <message>
        <source>A doctor needs a professional title.</source>
        <translation>医生须选择职称。</translation>
    </message>
    <message>
        <source>A pharmacist needs a level.</source>
        <translation>药师须选择药师职称。</translation>
    </message>
</context>
<context>
    <name>UsersView</name>
    <message>
        <source>Username or name</source>
        <translation>用户名或姓名</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>机构</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>科室</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Title / level</source>
        <translation>职称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>New user…</source>
        <translation>新建用户…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Freeze…</source>
        <translation>冻结…</translation>
    </message>
    <message>
        <source>Unfreeze</source>
        <translation>解冻</translation>
    </message>
    <message>
        <source>Reset second factor</source>
        <translation>重置动态验证码</translation>
    </message>
    <message>
        <source>Register signing key…</source>
        <translation>登记签名公钥…</translation>
    </message>
    <message>
        <source>Second factor to enrol (shown once)</source>
        <translation>待绑定的动态验证码（仅显示一次）</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>User %1 created.</source>
        <translation>已创建用户 %1。</translation>
    </message>
    <message>
        <source>User %1 saved.</source>
        <translation>用户 %1 已保存。</translation>
    </message>
    <message>
        <source>%1: enrol this key in the authenticator app now; it is not shown again.
Key: %2
%3</source>
        <translation>%1：请立即将此密钥绑定到身份验证器应用，之后不再显示。
密钥：%2
%3</translation>
    </message>
    <message>
        <source>%1 is frozen: their sessions stop at their next request.</source>
        <translation>%1 已冻结：其登录会话在下一次请求时即失效。</translation>
    </message>
    <message>
        <source>%1 may log in again.</source>
        <translation>%1 已解冻，可以重新登录。</translation>
    </message>
    <message>
        <source>Signing key of %1 registered.</source>
        <translation>已登记 %1 的签名公钥。</translation>
    </message>
    <message>
        <source>Freeze %1</source>
        <translation>冻结 %1</translation>
    </message>
</context>
</TS>
