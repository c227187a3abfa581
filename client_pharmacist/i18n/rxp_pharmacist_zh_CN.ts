<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ConfirmSignatureDialog</name>
    <message>
        <source>Confirm and sign</source>
        <translation>确认并签名</translation>
    </message>
    <message>
        <source>Your electronic signature will be applied to this decision. It is bound to the prescription exactly as the doctor signed it.</source>
        <translation>您的电子签名将用于以下审方决定，并与医生签名时的处方内容绑定。</translation>
    </message>
    <message>
        <source>Prescription</source>
        <translation>处方号</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>处方版本</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Explanation</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Prescription digest</source>
        <translation>处方摘要</translation>
    </message>
    <message>
        <source>Document SHA-256</source>
        <translation>签名文档 SHA-256</translation>
    </message>
    <message>
        <source>Sign and send</source>
        <translation>签名并提交</translation>
    </message>
</context>
<context>
    <name>HistoryView</name>
    <message>
        <source>Decisions</source>
        <translation>审核数</translation>
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
        <source>Average time to decision</source>
        <translation>平均审核用时</translation>
    </message>
    <message>
        <source>90% decided within</source>
        <translation>90% 审核在此时间内完成</translation>
    </message>
    <message>
        <source>Spot checks: errors found</source>
        <translation>抽查发现差错</translation>
    </message>
    <message>
        <source>My figures</source>
        <translation>我的审方指标</translation>
    </message>
    <message>
        <source>Prescription</source>
        <translation>处方号</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>就诊类型</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Decided at</source>
        <translation>审核时间</translation>
    </message>
    <message>
        <source>Time to decision</source>
        <translation>审核用时</translation>
    </message>
    <message>
        <source>%1 (approved %2, rejected %3)</source>
        <translation>%1（通过 %2，驳回 %3）</translation>
    </message>
    <message>
        <source>%1 of %2 checked (%3)</source>
        <translation>抽查 %2 张中差错 %1 张（%3）</translation>
    </message>
    <message>
        <source>My decisions: %1</source>
        <translation>我的审方记录：%1 条</translation>
    </message>
    <message>
        <source>Spot check: %1</source>
        <translation>抽查：%1</translation>
    </message>
</context>
<context>
    <name>KeySetupDialog</name>
    <message>
        <source>Signing key</source>
        <translation>签名密钥</translation>
    </message>
    <message>
        <source>No secure credential store on this computer: the key is kept only until the program closes.</source>
        <translation>本机没有安全的凭据存储：密钥只保留到程序关闭为止。</translation>
    </message>
    <message>
        <source>Create my key pair</source>
        <translation>生成我的密钥对</translation>
    </message>
    <message>
        <source>Copy public key</source>
        <translation>复制公钥</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Give this public key to the hospital administrator to register. Until it is registered, decisions you sign are refused.</source>
        <translation>请将此公钥交给医院管理员登记。登记之前，您签名的审方决定会被拒绝。</translation>
    </message>
    <message>
        <source>You have no signing key on this workstation yet. Create one: the private key stays in this computer&apos;s credential store; the public key is shown for the administrator to register.</source>
        <translation>您在本工作站还没有签名密钥。请生成密钥对：私钥保存在本机的凭据存储中，公钥显示出来供管理员登记。</translation>
    </message>
    <message>
        <source>Algorithm %1, fingerprint %2</source>
        <translation>算法 %1，指纹 %2</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Outpatient</source>
        <translation>门诊</translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation>急诊</translation>
    </message>
    <message>
        <source>Inpatient</source>
        <translation>住院</translation>
    </message>
    <message>
        <source>Chronic disease</source>
        <translation>慢病</translation>
    </message>
    <message>
        <source>Ordinary</source>
        <translation>普通药品</translation>
    </message>
    <message>
        <source>Antibiotic (unrestricted)</source>
        <translation>抗菌药物（非限制级）</translation>
    </message>
    <message>
        <source>Antibiotic (restricted)</source>
        <translation>抗菌药物（限制级）</translation>
    </message>
    <message>
        <source>Antibiotic (special use)</source>
        <translation>抗菌药物（特殊级）</translation>
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
        <source>Assistant pharmacist</source>
        <translation>药士</translation>
    </message>
    <message>
        <source>Pharmacist</source>
        <translation>药师</translation>
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
        <source>Approved</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>驳回</translation>
    </message>
    <message>
        <source>Correct</source>
        <translation>审核正确</translation>
    </message>
    <message>
        <source>Approved in error</source>
        <translation>审核差错</translation>
    </message>
    <message>
        <source>Not checked</source>
        <translation>未抽查</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Prescription review · %1</source>
        <translation>处方审核 · %1</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>审方</translation>
    </message>
    <message>
        <source>My reviews</source>
        <translation>我的审方</translation>
    </message>
    <message>
        <source>On duty</source>
        <translation>在岗</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Next task</source>
        <translation>下一个任务</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>驳回</translation>
    </message>
    <message>
        <source>Annotate</source>
        <translation>批注</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>%1 approve · %2 reject · %3 next · %4 refresh · %5 annotate</source>
        <translation>%1 通过 · %2 驳回 · %3 下一个 · %4 刷新 · %5 批注</translation>
    </message>
    <message>
        <source>Spot checks and reassignment</source>
        <translation>抽查与改派</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>离岗</translation>
    </message>
    <message>
        <source>You are off duty: no new tasks are assigned to you.</source>
        <translation>您已离岗：不会再给您分配新任务。</translation>
    </message>
    <message numerus="yes">
        <source>You are off duty: %n open task(s) were handed back for reassignment. No new tasks are assigned to you.</source>
        <translation>
            <numerusform>您已离岗：%n 个待审任务已交回重新分配，不会再给您分配新任务。</numerusform>
        </translation>
    </message>
    <message>
        <source>On duty: tasks will be assigned to you.</source>
        <translation>已上岗：将为您分配审方任务。</translation>
    </message>
    <message numerus="yes">
        <source>Off duty: %n task(s) handed back.</source>
        <translation>
            <numerusform>已离岗：%n 个任务已交回重新分配。</numerusform>
        </translation>
    </message>
    <message>
        <source>No other task is waiting.</source>
        <translation>没有其他待审任务。</translation>
    </message>
</context>
<context>
    <name>QueueTable</name>
    <message>
        <source>Prescription</source>
        <translation>处方号</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>就诊类型</translation>
    </message>
    <message>
        <source>Worst warning</source>
        <translation>最高警示</translation>
    </message>
    <message>
        <source>Drug classes</source>
        <translation>药品类别</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>审核药师</translation>
    </message>
    <message>
        <source>%1 (escalated)</source>
        <translation>%1（已升级）</translation>
    </message>
    <message>
        <source>Nobody</source>
        <translation>未分配</translation>
    </message>
</context>
<context>
    <name>QueueView</name>
    <message>
        <source>Waiting for review: %1</source>
        <translation>待审处方：%1</translation>
    </message>
    <message>
        <source>Overdue: %1</source>
        <translation>超时：%1</translation>
    </message>
</context>
<context>
    <name>RejectDialog</name>
    <message>
        <source>Reject the prescription</source>
        <translation>驳回处方</translation>
    </message>
    <message>
        <source>— choose a reason —</source>
        <translation>— 请选择驳回原因 —</translation>
    </message>
    <message>
        <source>What the doctor should change (required)</source>
        <translation>请写明医生需要如何修改（必填）</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Explanation</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Continue to signing</source>
        <translation>继续签名</translation>
    </message>
    <message>
        <source>Choose a rejection reason.</source>
        <translation>请选择驳回原因。</translation>
    </message>
    <message>
        <source>Explain the reason to the doctor.</source>
        <translation>请向医生说明驳回理由。</translation>
    </message>
</context>
<context>
    <name>ReviewOfflineBanner</name>
    <message>
        <source>Offline since %1 (%2). The queue shown may be out of date. Decisions are signed against the server&apos;s prescription and are NOT queued offline: approve or reject when the connection is back.</source>
        <translation>自 %1 起离线（%2）。显示的队列可能已过时。审方决定须针对服务器上的处方签名，离线时不会排队保存：请在恢复连接后再通过或驳回。</translation>
    </message>
</context>
<context>
    <name>ReviewPanel</name>
    <message>
        <source>Choose a task in the queue (Ctrl+N: next task).</source>
        <translation>请在左侧队列中选择任务（Ctrl+N：下一个任务）。</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Drug</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Specification</source>
        <translation>规格</translation>
    </message>
    <message>
        <source>Dose</source>
        <translation>单次剂量</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>途径</translation>
    </message>
    <message>
        <source>Frequency</source>
        <translation>频次</translation>
    </message>
    <message>
        <source>Days</source>
        <translation>天数</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警示</translation>
    </message>
    <message>
        <source>Automatic checks</source>
        <translation>自动审查</translation>
    </message>
    <message>
        <source>Rational drug use system</source>
        <translation>合理用药系统</translation>
    </message>
    <message>
        <source>Drug reference (catalogue)</source>
        <translation>药品信息（目录）</translation>
    </message>
    <message>
        <source>Note for the record (%1)</source>
        <translation>审方批注（%1）</translation>
    </message>
    <message>
        <source>Annotate</source>
        <translation>批注</translation>
    </message>
    <message>
        <source>Annotations</source>
        <translation>批注</translation>
    </message>
    <message>
        <source>Decisions are signed against the server&apos;s current prescription and are never queued offline: wait for the connection to approve or reject.</source>
        <translation>审方决定须针对服务器上的当前处方签名，离线时不会排队保存：请等待恢复连接后再通过或驳回。</translation>
    </message>
    <message>
        <source>Approve (%1)</source>
        <translation>通过（%1）</translation>
    </message>
    <message>
        <source>Reject (%1)</source>
        <translation>驳回（%1）</translation>
    </message>
    <message>
        <source>Signing key…</source>
        <translation>签名密钥…</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Doctor&apos;s signature verified</source>
        <translation>医生签名验证通过</translation>
    </message>
    <message>
        <source>Signature check FAILED: the prescription may have been altered</source>
        <translation>签名验证失败：处方可能已被篡改</translation>
    </message>
    <message>
        <source>Current medication: %1</source>
        <translation>当前用药：%1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Doctor&apos;s notes: %1</source>
        <translation>医生备注：%1</translation>
    </message>
    <message>
        <source>Doctor proceeded: %1 (%2)</source>
        <translation>医生坚持开具：%1（%2）</translation>
    </message>
    <message>
        <source>Result: %1</source>
        <translation>审查结果：%1</translation>
    </message>
    <message>
        <source>Whole prescription</source>
        <translation>整张处方</translation>
    </message>
    <message>
        <source>Line %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <source>This task is no longer open (%1).</source>
        <translation>该任务已不在待审状态（%1）。</translation>
    </message>
    <message>
        <source>The catalogue has no data for these drugs.</source>
        <translation>目录中没有这些药品的资料。</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>商品名</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>剂型</translation>
    </message>
    <message>
        <source>Manufacturer</source>
        <translation>生产企业</translation>
    </message>
    <message>
        <source>Approval number</source>
        <translation>批准文号</translation>
    </message>
    <message>
        <source>ATC</source>
        <translation>ATC 编码</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Insurance restriction</source>
        <translation>医保限定</translation>
    </message>
    <message>
        <source>On the chronic disease list</source>
        <translation>属慢病目录</translation>
    </message>
    <message>
        <source>You need a signing key first: create it, and have the administrator register the public key.</source>
        <translation>您需要先有签名密钥：请生成密钥，并请管理员登记公钥。</translation>
    </message>
    <message>
        <source>Preparing the document to sign…</source>
        <translation>正在获取待签名文档…</translation>
    </message>
    <message>
        <source>Not signed; nothing was sent.</source>
        <translation>未签名，未提交任何内容。</translation>
    </message>
    <message>
        <source>Signing and sending…</source>
        <translation>正在签名并提交…</translation>
    </message>
    <message>
        <source>Approved and signed.</source>
        <translation>已签名通过。</translation>
    </message>
    <message>
        <source>Rejected and signed; the doctor has been told.</source>
        <translation>已签名驳回，已通知医生。</translation>
    </message>
    <message>
        <source>Conflict: %1 This task was already handled or changed; it has been removed from your queue.</source>
        <translation>冲突：%1 该任务已被处理或已变更，已从您的队列中移除。</translation>
    </message>
    <message>
        <source>Not sent: %1 Decisions are not queued offline; try again when the connection is back.</source>
        <translation>未提交：%1 审方决定不会离线排队，请在恢复连接后重试。</translation>
    </message>
    <message>
        <source>%1 Show your public key (Signing key…) to the administrator.</source>
        <translation>%1 请将您的公钥（“签名密钥…”）交给管理员登记。</translation>
    </message>
    <message>
        <source>Signature check failed: %1</source>
        <translation>签名验证失败：%1</translation>
    </message>
</context>
<context>
    <name>SeniorView</name>
    <message>
        <source>Reassign to</source>
        <translation>改派给</translation>
    </message>
    <message>
        <source>Selected task:</source>
        <translation>选中的任务：</translation>
    </message>
    <message>
        <source>Click a task to open it; select one and choose a pharmacist to reassign it.</source>
        <translation>单击任务可打开审核；选中任务并选择药师即可改派。</translation>
    </message>
    <message>
        <source>Hospital queue</source>
        <translation>全院待审</translation>
    </message>
    <message>
        <source>Prescription</source>
        <translation>处方号</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>就诊类型</translation>
    </message>
    <message>
        <source>Approved by</source>
        <translation>审核药师</translation>
    </message>
    <message>
        <source>Approved at</source>
        <translation>通过时间</translation>
    </message>
    <message>
        <source>Spot check</source>
        <translation>抽查结果</translation>
    </message>
    <message>
        <source>Show checked ones</source>
        <translation>显示已抽查</translation>
    </message>
    <message>
        <source>Note (what was wrong)</source>
        <translation>备注（差错内容）</translation>
    </message>
    <message>
        <source>Correct</source>
        <translation>审核正确</translation>
    </message>
    <message>
        <source>Approved in error</source>
        <translation>审核差错</translation>
    </message>
    <message>
        <source>Approvals by other pharmacists (double-click to open the prescription).</source>
        <translation>其他药师审核通过的处方（双击打开处方）。</translation>
    </message>
    <message>
        <source>Spot checks</source>
        <translation>抽查</translation>
    </message>
    <message>
        <source>on duty</source>
        <translation>在岗</translation>
    </message>
    <message>
        <source>off duty</source>
        <translation>离岗</translation>
    </message>
    <message>
        <source>%1 (%2, %3, %4 open)</source>
        <translation>%1（%2，%3，待审 %4）</translation>
    </message>
    <message>
        <source>Select a task and a pharmacist first.</source>
        <translation>请先选择任务和药师。</translation>
    </message>
    <message>
        <source>Reassigned to %1.</source>
        <translation>已改派给 %1。</translation>
    </message>
    <message>
        <source>Say what was wrong in the note.</source>
        <translation>请在备注中写明差错内容。</translation>
    </message>
    <message>
        <source>Select an approval first.</source>
        <translation>请先选择一张处方。</translation>
    </message>
    <message>
        <source>Recorded: %1.</source>
        <translation>已记录：%1。</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Workstation configuration</source>
        <translation>工作站配置</translation>
    </message>
    <message>
        <source>Log in · Prescription review</source>
        <translation>登录 · 处方审核</translation>
    </message>
</context>
</TS>
