<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Keypad</name>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>KioskApp</name>
    <message>
        <source>Something went wrong: please go to a staffed counter</source>
        <translation>操作失败，请到人工窗口办理</translation>
    </message>
    <message>
        <source>The order was not placed</source>
        <translation>下单失败</translation>
    </message>
    <message>
        <source>Signed out: your data is cleared</source>
        <translation>已退出，您的信息已清除</translation>
    </message>
    <message>
        <source>No receipt printer is configured</source>
        <translation>未配置凭条打印机</translation>
    </message>
    <message>
        <source>%1: working</source>
        <translation>%1：正常</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Card reader</source>
        <translation>读卡器</translation>
    </message>
    <message>
        <source>Receipt printer</source>
        <translation>凭条打印机</translation>
    </message>
    <message>
        <source>Test page printed</source>
        <translation>测试页已打印</translation>
    </message>
    <message>
        <source>Printing failed: %1</source>
        <translation>打印失败：%1</translation>
    </message>
</context>
<context>
    <name>KioskFlow</name>
    <message>
        <source>No one touched the screen for a while: signed out, your data is cleared</source>
        <translation>长时间无操作，已自动退出，您的信息已清除</translation>
    </message>
    <message>
        <source>Card taken out: your data is cleared</source>
        <translation>卡片已取出，您的信息已清除</translation>
    </message>
    <message>
        <source>The card was pulled out while it was being read. Insert it again and leave it in until the reading is done</source>
        <translation>读卡过程中卡片被拔出，请重新插卡并在读卡完成前不要拔卡</translation>
    </message>
    <message>
        <source>Cannot reach the server</source>
        <translation>无法连接服务器</translation>
    </message>
    <message>
        <source>Out of service: please go to a staffed counter</source>
        <translation>暂停服务，请到人工窗口办理</translation>
    </message>
    <message>
        <source>Reading the card, do not take it out…</source>
        <translation>正在读卡，请勿拔卡…</translation>
    </message>
    <message>
        <source>Checking who you are…</source>
        <translation>正在验证身份…</translation>
    </message>
    <message>
        <source>This prescription is %1: no pharmacy can be chosen yet</source>
        <translation>处方%1，暂不能选择取药方式</translation>
    </message>
    <message>
        <source>No pharmacy offers this: please choose another way to get your medicine</source>
        <translation>暂无可选药店，请换一种取药方式</translation>
    </message>
    <message>
        <source>Scan the code with your phone to pay</source>
        <translation>请使用手机扫码支付</translation>
    </message>
    <message>
        <source>Paid. Printing your receipt…</source>
        <translation>支付成功，正在打印凭条…</translation>
    </message>
    <message>
        <source>Printing your receipt; pay and collect at the pharmacy counter…</source>
        <translation>正在打印凭条，请到药房窗口付款取药…</translation>
    </message>
    <message>
        <source>Please take your receipt</source>
        <translation>请取走凭条</translation>
    </message>
    <message>
        <source>%1 (order %2)</source>
        <translation>%1（订单 %2）</translation>
    </message>
    <message>
        <source>The receipt could not be printed: take a photo of the pickup code on the screen. Staff have been called</source>
        <translation>凭条未能打印，请拍下屏幕上的取药码；已通知工作人员</translation>
    </message>
    <message>
        <source>Wrong maintenance PIN</source>
        <translation>维护密码错误</translation>
    </message>
    <message>
        <source>Wrong PIN</source>
        <translation>密码错误</translation>
    </message>
</context>
<context>
    <name>KioskMain</name>
    <message>
        <source>Workstation configuration error</source>
        <translation>工作站配置错误</translation>
    </message>
    <message>
        <source>No kiosk credentials</source>
        <translation>缺少终端凭据</translation>
    </message>
    <message>
        <source>Set the client secret of kiosk %1 in the system keyring or in the environment variable RXP_KIOSK_CLIENT_SECRET.</source>
        <translation>请为自助机 %1 配置客户端凭据（系统钥匙串或环境变量 RXP_KIOSK_CLIENT_SECRET）。</translation>
    </message>
    <message>
        <source>Device error</source>
        <translation>设备故障</translation>
    </message>
</context>
<context>
    <name>KioskReceipt</name>
    <message>
        <source>Prescription pickup receipt</source>
        <translation>处方取药凭条</translation>
    </message>
    <message>
        <source>Prescription: %1
Order: %2</source>
        <translation>处方号：%1
订单号：%2</translation>
    </message>
    <message>
        <source>Queue number: %1</source>
        <translation>排队号：%1</translation>
    </message>
    <message>
        <source>Pharmacy: %1
Delivery: %2</source>
        <translation>药店：%1
取药方式：%2</translation>
    </message>
    <message>
        <source>Pharmacy address: %1</source>
        <translation>药店地址：%1</translation>
    </message>
    <message>
        <source>Appointment: %1</source>
        <translation>预约时间：%1</translation>
    </message>
    <message>
        <source>Delivery address: %1
Recipient: %2</source>
        <translation>收货地址：%1
收货人：%2</translation>
    </message>
    <message>
        <source>Medicines: %1
Delivery fee: %2
Total: %3</source>
        <translation>药品金额：%1
配送费：%2
合计：%3</translation>
    </message>
    <message>
        <source>Payment: at the pharmacy counter</source>
        <translation>付款方式：到药房窗口付款</translation>
    </message>
    <message>
        <source>Paid online: insurance fund %1, personal account %2, cash %3</source>
        <translation>已在线支付：医保统筹 %1，个人账户 %2，自付 %3</translation>
    </message>
    <message>
        <source>Pickup code: %1</source>
        <translation>取药码：%1</translation>
    </message>
    <message>
        <source>Kiosk printer test</source>
        <translation>自助机打印测试</translation>
    </message>
    <message>
        <source>Chinese prints correctly</source>
        <translation>中文打印正常</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>Prescription self-service</source>
        <translation>处方自助服务</translation>
    </message>
    <message>
        <source>Collect your prescription</source>
        <translation>处方自助取药</translation>
    </message>
    <message>
        <source>Identification</source>
        <translation>身份验证</translation>
    </message>
    <message>
        <source>The card could not be read</source>
        <translation>读卡未成功</translation>
    </message>
    <message>
        <source>My prescriptions</source>
        <translation>我的处方</translation>
    </message>
    <message>
        <source>Choose how and where to get your medicine</source>
        <translation>选择取药方式和药店</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>支付</translation>
    </message>
    <message>
        <source>Printing the receipt</source>
        <translation>打印凭条</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>办理完成</translation>
    </message>
    <message>
        <source>Prescription progress</source>
        <translation>处方进度查询</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <source>Maintenance</source>
        <translation>维护模式</translation>
    </message>
    <message>
        <source>ID card number</source>
        <translation>身份证号码</translation>
    </message>
    <message>
        <source>SMS code</source>
        <translation>短信验证码</translation>
    </message>
    <message>
        <source>Maintenance PIN</source>
        <translation>维护密码</translation>
    </message>
    <message>
        <source>Send me a code</source>
        <translation>获取验证码</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>Open maintenance</source>
        <translation>进入维护</translation>
    </message>
    <message>
        <source>No card? Use your ID number and an SMS code</source>
        <translation>没有卡？用身份证号 + 短信验证码</translation>
    </message>
    <message>
        <source>Staff maintenance</source>
        <translation>工作人员维护</translation>
    </message>
    <message>
        <source>Delivery details (this city)</source>
        <translation>快递收货信息（地区：本市）</translation>
    </message>
    <message>
        <source>Address (street, number, building, flat)</source>
        <translation>详细地址（街道、门牌、楼号、室）</translation>
    </message>
    <message>
        <source>Recipient&apos;s name</source>
        <translation>收货人姓名</translation>
    </message>
    <message>
        <source>Recipient&apos;s mobile number</source>
        <translation>收货人手机号</translation>
    </message>
    <message>
        <source>Address complete</source>
        <translation>填好了</translation>
    </message>
    <message>
        <source>Delivery to the hospital pickup point</source>
        <translation>院内取药点配送</translation>
    </message>
    <message>
        <source>Pick up at the pharmacy</source>
        <translation>到药店自取</translation>
    </message>
    <message>
        <source>Courier to my home</source>
        <translation>快递到家</translation>
    </message>
    <message>
        <source>In stock</source>
        <translation>有货</translation>
    </message>
    <message>
        <source>Low stock</source>
        <translation>库存紧张</translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>缺货</translation>
    </message>
    <message>
        <source>Stock unknown</source>
        <translation>库存未知</translation>
    </message>
    <message>
        <source>Insert your social insurance card or hospital card</source>
        <translation>请插入社保卡（医保卡）或就诊卡</translation>
    </message>
    <message>
        <source>Or hold the QR code on your prescription slip to the scanner</source>
        <translation>也可以将处方单上的二维码对准扫码口</translation>
    </message>
    <message>
        <source>The code was sent to %1</source>
        <translation>验证码已发送至 %1</translation>
    </message>
    <message>
        <source>Please wait…</source>
        <translation>请稍候…</translation>
    </message>
    <message>
        <source>Take the card out and insert it again, or identify another way</source>
        <translation>请取出卡片后重新插入，或换一种方式验证身份</translation>
    </message>
    <message>
        <source>Another way</source>
        <translation>换一种方式</translation>
    </message>
    <message>
        <source>Hello, %1</source>
        <translation>您好，%1</translation>
    </message>
    <message>
        <source>No prescriptions to handle</source>
        <translation>没有可办理的处方</translation>
    </message>
    <message>
        <source>Delivery fee %1</source>
        <translation>快递费 %1</translation>
    </message>
    <message>
        <source>%1  %2
%3 %4, Dr %5  Amount %6
%7</source>
        <translation>%1  %2
%3 %4 %5医生  金额 %6
%7</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Prescription %1  Medicines %2</source>
        <translation>处方 %1  药品金额 %2</translation>
    </message>
    <message>
        <source>  %1 km away</source>
        <translation>  距离 %1 公里</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>营业中</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>休息中</translation>
    </message>
    <message>
        <source>Pickup time</source>
        <translation>预约取药时间</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认选择</translation>
    </message>
    <message>
        <source>As soon as possible</source>
        <translation>尽快</translation>
    </message>
    <message>
        <source>Tomorrow 9 am</source>
        <translation>明天上午 9 点</translation>
    </message>
    <message>
        <source>Tomorrow 2 pm</source>
        <translation>明天下午 2 点</translation>
    </message>
    <message>
        <source>%1  %2
Medicines %3  Delivery %4</source>
        <translation>%1  %2
药品 %3  配送费 %4</translation>
    </message>
    <message>
        <source>Total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <source>Pay with your phone</source>
        <translation>手机扫码支付</translation>
    </message>
    <message>
        <source>Pay at the pharmacy counter</source>
        <translation>到药房窗口付款</translation>
    </message>
    <message>
        <source>Insurance fund %1  Personal account %2  You pay %3</source>
        <translation>医保统筹 %1  个人账户 %2  需自付 %3</translation>
    </message>
    <message>
        <source>Waiting for the payment…</source>
        <translation>等待支付结果…</translation>
    </message>
    <message>
        <source>Printing, please wait…</source>
        <translation>正在打印，请稍候…</translation>
    </message>
    <message>
        <source>Queue number %1</source>
        <translation>排队号 %1</translation>
    </message>
    <message>
        <source>Please pay %1 at the pharmacy counter</source>
        <translation>请到药房窗口付款 %1</translation>
    </message>
    <message>
        <source>Pickup code %1</source>
        <translation>取药码 %1</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>  Tracking number %1</source>
        <translation>  运单号 %1</translation>
    </message>
    <message>
        <source>The system is under maintenance: please go to a staffed counter</source>
        <translation>系统维护中，请到人工窗口办理</translation>
    </message>
    <message>
        <source>This screen goes back to the start by itself once the service is back</source>
        <translation>恢复后将自动返回首页</translation>
    </message>
    <message>
        <source>Device self-test</source>
        <translation>设备自检</translation>
    </message>
    <message>
        <source>Print a test page</source>
        <translation>打印测试页</translation>
    </message>
    <message>
        <source>Leave maintenance</source>
        <translation>退出维护</translation>
    </message>
    <message>
        <source>Recent faults</source>
        <translation>最近的故障</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Please fill in every delivery detail</source>
        <translation>请填写完整的收货信息</translation>
    </message>
</context>
</TS>
