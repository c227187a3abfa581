<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DoctorApp</name>
    <message>
        <source>Log in · Prescribing workstation</source>
        <translation>登录 · 开方工作站</translation>
    </message>
    <message>
        <source>The session was locked after inactivity: log in again or open the workstation from the HIS.</source>
        <translation>长时间未操作，会话已锁定：请重新登录，或从 HIS 重新打开开方工作站。</translation>
    </message>
    <message>
        <source>Cannot start</source>
        <translation>无法启动</translation>
    </message>
</context>
<context>
    <name>EditorView</name>
    <message>
        <source>Allergies</source>
        <translation>过敏史</translation>
    </message>
    <message>
        <source>Diagnoses</source>
        <translation>诊断</translation>
    </message>
    <message>
        <source>Current medication</source>
        <translation>当前用药</translation>
    </message>
    <message>
        <source>Medication history</source>
        <translation>既往用药</translation>
    </message>
    <message>
        <source>ICD-10 code and name, e.g. J02.9 急性咽炎；separate several with ；</source>
        <translation>ICD-10 编码和名称，如 J02.9 急性咽炎；多个诊断用“；”分隔</translation>
    </message>
    <message>
        <source>Drug: pinyin initials, name or code (e.g. amxl)</source>
        <translation>药品：拼音首字母、名称或编码（如 amxl）</translation>
    </message>
    <message>
        <source>Pick a drug above</source>
        <translation>请在上方选择药品</translation>
    </message>
    <message>
        <source>Dose</source>
        <translation>单次剂量</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>给药途径</translation>
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
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Drug</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Remove line (Del)</source>
        <translation>删除行（Del）</translation>
    </message>
    <message>
        <source>Save as template</source>
        <translation>存为模板</translation>
    </message>
    <message>
        <source>Use template…</source>
        <translation>使用模板…</translation>
    </message>
    <message>
        <source>Sign and submit (F9)</source>
        <translation>签名提交（F9）</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>用药警示</translation>
    </message>
    <message>
        <source>No known allergies</source>
        <translation>无已知过敏</translation>
    </message>
    <message>
        <source>None recorded</source>
        <translation>无记录</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Not a diagnosis (code and name): %1</source>
        <translation>不是有效的诊断（编码 名称）：%1</translation>
    </message>
    <message>
        <source>Add complete lines before saving a template.</source>
        <translation>请先录入完整的处方行再保存模板。</translation>
    </message>
    <message>
        <source>Template “%1” saved.</source>
        <translation>模板“%1”已保存。</translation>
    </message>
    <message>
        <source> (Open the signing key set-up from the menu.)</source>
        <translation>（请从菜单打开“签名密钥”进行设置。）</translation>
    </message>
    <message>
        <source>Add a drug to start.</source>
        <translation>请添加药品。</translation>
    </message>
    <message>
        <source>Enter the diagnosis.</source>
        <translation>请填写诊断。</translation>
    </message>
    <message>
        <source>Complete dose, unit, route, frequency and days.</source>
        <translation>请填写完整的剂量、单位、途径、频次和天数。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在审查…</translation>
    </message>
    <message>
        <source>Correct the marked line.</source>
        <translation>请修改标出的处方行。</translation>
    </message>
    <message>
        <source>A contraindication (black) blocks this prescription: replace the drug.</source>
        <translation>存在禁忌（黑灯）警示，处方不能提交：请更换药品。</translation>
    </message>
    <message>
        <source>Some warnings need a reason: press Sign to give them.</source>
        <translation>部分警示需要说明理由：点击签名提交后填写。</translation>
    </message>
    <message>
        <source>Ready to sign.</source>
        <translation>可以签名提交。</translation>
    </message>
    <message>
        <source>Total: ¥%1</source>
        <translation>合计：¥%1</translation>
    </message>
    <message>
        <source>Reason given: %1</source>
        <translation>已说明理由：%1</translation>
    </message>
    <message>
        <source>Open a patient to prescribe.</source>
        <translation>请先打开患者（Ctrl+O）。</translation>
    </message>
</context>
<context>
    <name>KeySetupDialog</name>
    <message>
        <source>Signing key</source>
        <translation>签名密钥</translation>
    </message>
    <message>
        <source>This workstation has no system keyring: the key is kept only until the program closes.</source>
        <translation>本工作站没有系统钥匙串：密钥只保存到程序关闭为止。</translation>
    </message>
    <message>
        <source>Generate a new key pair</source>
        <translation>生成新的密钥对</translation>
    </message>
    <message>
        <source>Copy public key</source>
        <translation>复制公钥</translation>
    </message>
    <message>
        <source>You have no signing key on this workstation yet. Generate one, then give the public key to the hospital administrator to register.</source>
        <translation>本工作站上还没有您的签名密钥。请生成密钥，并将公钥交给医院管理员登记。</translation>
    </message>
    <message>
        <source>Your signing key is registered: you can sign.</source>
        <translation>您的签名密钥已登记，可以签名。</translation>
    </message>
    <message>
        <source>Give this public key to the hospital administrator to register. You can sign once it is registered.</source>
        <translation>请将此公钥交给医院管理员登记，登记后即可签名。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Prescribing workstation · %1</source>
        <translation>开方工作站 · %1</translation>
    </message>
    <message>
        <source>Prescribe</source>
        <translation>开处方</translation>
    </message>
    <message>
        <source>My prescriptions</source>
        <translation>我的处方</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Workstation</source>
        <translation>工作站</translation>
    </message>
    <message>
        <source>Open patient…</source>
        <translation>打开患者…</translation>
    </message>
    <message>
        <source>Signing key…</source>
        <translation>签名密钥…</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>注销</translation>
    </message>
    <message>
        <source>Prescription %1 submitted for review.</source>
        <translation>处方 %1 已提交药师审核。</translation>
    </message>
    <message>
        <source>The server cannot be reached: the signed prescription is kept and will be submitted when the connection is back.</source>
        <translation>无法连接服务器：已签名的处方已保存，网络恢复后自动提交。</translation>
    </message>
    <message>
        <source>Not submitted: %1 (%2)</source>
        <translation>未能提交：%1（%2）</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting to be sent</source>
        <translation>
            <numerusform>%n 项待发送</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Reasons to proceed</source>
        <translation>继续开具的理由</translation>
    </message>
    <message>
        <source>These warnings need a reason before you can sign:</source>
        <translation>以下警示需要说明理由后才能签名：</translation>
    </message>
    <message>
        <source>Why you proceed (at least 2 characters)</source>
        <translation>继续开具的理由（至少 2 个字）</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Give a reason for every warning.</source>
        <translation>请为每条警示填写理由。</translation>
    </message>
</context>
<context>
    <name>PatientSearchDialog</name>
    <message>
        <source>Open a patient</source>
        <translation>打开患者</translation>
    </message>
    <message>
        <source>Visit card, insurance card, ID number or name</source>
        <translation>就诊卡号、医保卡号、身份证号或姓名</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>No patient found.</source>
        <translation>未找到患者。</translation>
    </message>
</context>
<context>
    <name>PrescriptionPrint</name>
    <message>
        <source>Circulation prescription</source>
        <translation>流转处方笺</translation>
    </message>
    <message>
        <source>No. %1</source>
        <translation>处方号：%1</translation>
    </message>
    <message>
        <source>Date: %1</source>
        <translation>日期：%1</translation>
    </message>
    <message>
        <source>Patient: %1</source>
        <translation>患者：%1</translation>
    </message>
    <message>
        <source>Diagnoses: %1</source>
        <translation>诊断：%1</translation>
    </message>
    <message>
        <source>Sig: %1 %2, %3, %4, %5 days</source>
        <translation>用法：每次 %1%2，%3，%4，共 %5 天</translation>
    </message>
    <message>
        <source>Total: ¥%1</source>
        <translation>合计：¥%1</translation>
    </message>
    <message>
        <source>Doctor: %1</source>
        <translation>医师：%1</translation>
    </message>
    <message>
        <source>Signed electronically (%1)</source>
        <translation>已电子签名（%1）</translation>
    </message>
    <message>
        <source>Not signed</source>
        <translation>未签名</translation>
    </message>
    <message>
        <source>Status: %1</source>
        <translation>状态：%1</translation>
    </message>
</context>
<context>
    <name>PrescriptionsView</name>
    <message>
        <source>Number</source>
        <translation>处方号</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>开具时间</translation>
    </message>
    <message>
        <source>Revise and resubmit</source>
        <translation>修改后重新提交</translation>
    </message>
    <message>
        <source>Void…</source>
        <translation>作废…</translation>
    </message>
    <message>
        <source>Reissue…</source>
        <translation>重开…</translation>
    </message>
    <message>
        <source>Print / PDF</source>
        <translation>打印 / PDF</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Select a prescription</source>
        <translation>请选择处方</translation>
    </message>
    <message>
        <source>Rejected: %1</source>
        <translation>审核驳回：%1</translation>
    </message>
    <message>
        <source>Patient: %1</source>
        <translation>患者：%1</translation>
    </message>
    <message>
        <source>Diagnoses: %1</source>
        <translation>诊断：%1</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Total: ¥%1</source>
        <translation>合计：¥%1</translation>
    </message>
    <message>
        <source>History:</source>
        <translation>流转记录：</translation>
    </message>
    <message>
        <source>Void prescription</source>
        <translation>作废处方</translation>
    </message>
    <message>
        <source>Why is it voided?</source>
        <translation>作废原因：</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Reissue prescription</source>
        <translation>重开处方</translation>
    </message>
    <message>
        <source>Why is it reissued? The old one is voided.</source>
        <translation>重开原因（原处方将作废）：</translation>
    </message>
    <message>
        <source>Reissue</source>
        <translation>重开</translation>
    </message>
    <message>
        <source>Save prescription as PDF</source>
        <translation>处方另存为 PDF</translation>
    </message>
    <message>
        <source>Saved: %1</source>
        <translation>已保存：%1</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>Enter a reason (at least 2 characters).</source>
        <translation>请填写原因（至少 2 个字）。</translation>
    </message>
</context>
<context>
    <name>SignConfirmDialog</name>
    <message>
        <source>Confirm and sign</source>
        <translation>确认并签名</translation>
    </message>
    <message>
        <source>Check the prescription below. Signing makes you responsible for exactly this content.</source>
        <translation>请核对以下处方内容。签名即表示您对这些内容负责。</translation>
    </message>
    <message>
        <source>SHA-256 of the signed content: %1</source>
        <translation>签名内容的 SHA-256：%1</translation>
    </message>
    <message>
        <source>Sign and submit</source>
        <translation>签名并提交</translation>
    </message>
    <message>
        <source>Prescription %1, revision %2</source>
        <translation>处方 %1，第 %2 版</translation>
    </message>
    <message>
        <source>Patient: %1</source>
        <translation>患者：%1</translation>
    </message>
    <message>
        <source>Diagnoses: %1</source>
        <translation>诊断：%1</translation>
    </message>
    <message>
        <source>%1 %2 per dose, %3, %4, %5 days; dispense %6 %7</source>
        <translation>每次 %1%2，%3，%4，共 %5 天；发药 %6%7</translation>
    </message>
    <message>
        <source>Skin test required</source>
        <translation>需皮试</translation>
    </message>
    <message>
        <source>Notes: %1</source>
        <translation>备注：%1</translation>
    </message>
    <message>
        <source>Warnings you proceed with:</source>
        <translation>说明理由后继续开具的警示：</translation>
    </message>
</context>
<context>
    <name>TemplatePickDialog</name>
    <message>
        <source>Use a template</source>
        <translation>使用模板</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>科室</translation>
    </message>
    <message>
        <source>Personal</source>
        <translation>个人</translation>
    </message>
    <message numerus="yes">
        <source>%n lines</source>
        <translation>
            <numerusform>%n 行</numerusform>
        </translation>
    </message>
    <message>
        <source>No templates yet.</source>
        <translation>还没有模板。</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>使用</translation>
    </message>
</context>
<context>
    <name>TemplateSaveDialog</name>
    <message>
        <source>Save as template</source>
        <translation>存为模板</translation>
    </message>
    <message>
        <source>Personal</source>
        <translation>个人</translation>
    </message>
    <message>
        <source>Whole department</source>
        <translation>全科室</translation>
    </message>
    <message>
        <source>Template name</source>
        <translation>模板名称</translation>
    </message>
    <message>
        <source>Visible to</source>
        <translation>可见范围</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Enter a name.</source>
        <translation>请填写名称。</translation>
    </message>
</context>
</TS>
