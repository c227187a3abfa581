<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CounterView</name>
    <message>
        <source>The patient&apos;s pickup code, or scan their pickup QR</source>
        <translation>患者取药码，或扫描取药二维码</translation>
    </message>
    <message>
        <source>Find order</source>
        <translation>查找订单</translation>
    </message>
    <message>
        <source>No order chosen</source>
        <translation>未选择订单</translation>
    </message>
    <message>
        <source>Checked: hand to the patient</source>
        <translation>核对无误，交付患者</translation>
    </message>
    <message>
        <source>Hand to the courier (outbound)</source>
        <translation>交快递出库</translation>
    </message>
    <message>
        <source>Counter receipt number</source>
        <translation>收款凭证号</translation>
    </message>
    <message>
        <source>Register counter payment</source>
        <translation>登记线下收款</translation>
    </message>
    <message>
        <source>Call next number</source>
        <translation>叫号</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>物流跟踪</translation>
    </message>
    <message>
        <source>Order %1</source>
        <translation>订单 %1</translation>
    </message>
    <message>
        <source>Patient %1</source>
        <translation>患者 %1</translation>
    </message>
    <message>
        <source>Phone %1</source>
        <translation>电话 %1</translation>
    </message>
    <message>
        <source>Queue number %1</source>
        <translation>排队号 %1</translation>
    </message>
    <message>
        <source>Waybill %1</source>
        <translation>运单号 %1</translation>
    </message>
    <message>
        <source>Outbound %1</source>
        <translation>出库单 %1</translation>
    </message>
    <message>
        <source>Order found: check the patient</source>
        <translation>已找到订单，请核对患者信息</translation>
    </message>
    <message>
        <source>Handed to the patient</source>
        <translation>已交付患者</translation>
    </message>
    <message>
        <source>Handed to the courier, outbound registered</source>
        <translation>已交快递并登记出库</translation>
    </message>
    <message>
        <source>Receipt number: enter the counter receipt&apos;s number</source>
        <translation>收款凭证号：请填写线下收款凭证号</translation>
    </message>
    <message>
        <source>Counter payment registered</source>
        <translation>已登记线下收款</translation>
    </message>
    <message>
        <source>Number %1, please</source>
        <translation>请 %1 号取药</translation>
    </message>
    <message>
        <source>Nobody is waiting</source>
        <translation>没有排队的患者</translation>
    </message>
</context>
<context>
    <name>DispensingView</name>
    <message>
        <source>Choose an order on the Orders page</source>
        <translation>请在订单页选择订单</translation>
    </message>
    <message>
        <source>Line</source>
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
        <source>Prescribed</source>
        <translation>应发</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>已扫</translation>
    </message>
    <message>
        <source>Traceability codes</source>
        <translation>追溯码</translation>
    </message>
    <message>
        <source>Scan or type the traceability code, then Enter</source>
        <translation>扫描或输入追溯码后回车</translation>
    </message>
    <message>
        <source>Username of the colleague who checks</source>
        <translation>核对人用户名</translation>
    </message>
    <message>
        <source>Not dispensed (selected line)</source>
        <translation>选中行未发药</translation>
    </message>
    <message>
        <source>Remove last code (selected line)</source>
        <translation>撤销选中行最后一个追溯码</translation>
    </message>
    <message>
        <source>Complete dispensing</source>
        <translation>完成发药</translation>
    </message>
    <message>
        <source>Print receipt</source>
        <translation>打印小票</translation>
    </message>
    <message>
        <source>Receipt and labels as PDF</source>
        <translation>小票和标签存为 PDF</translation>
    </message>
    <message>
        <source>Traceability code</source>
        <translation>追溯码</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>批号</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>Dispenser</source>
        <translation>发药人</translation>
    </message>
    <message>
        <source>Checker</source>
        <translation>核对人</translation>
    </message>
    <message>
        <source>Order %1  Patient %2  %3  %4</source>
        <translation>订单 %1&#x3000;患者 %2&#x3000;%3&#x3000;%4</translation>
    </message>
    <message>
        <source>%1, not dispensed: %2</source>
        <translation>%1，未发药：%2</translation>
    </message>
    <message>
        <source>Expiry must be written YYYY-MM-DD</source>
        <translation>有效期格式应为 YYYY-MM-DD</translation>
    </message>
    <message>
        <source>Scanned: %1, batch %2, expiry %3</source>
        <translation>已扫描：%1 批号 %2 有效期至 %3</translation>
    </message>
    <message>
        <source>%1: %2 (%3)</source>
        <translation>%1：%2（%3）</translation>
    </message>
    <message>
        <source>Code already used, refused</source>
        <translation>追溯码已被使用，拒绝</translation>
    </message>
    <message>
        <source>Wrong product</source>
        <translation>药品不符</translation>
    </message>
    <message>
        <source>Batch expired</source>
        <translation>批次已过期</translation>
    </message>
    <message>
        <source>Line already full</source>
        <translation>数量已够</translation>
    </message>
    <message>
        <source>Enter batch and expiry</source>
        <translation>请补充批号/有效期</translation>
    </message>
    <message>
        <source>Not registered</source>
        <translation>无法登记</translation>
    </message>
    <message>
        <source>Select the line that is not dispensed.</source>
        <translation>请先选中未发药的行。</translation>
    </message>
    <message>
        <source>Line %1: %2 %3 not dispensed (%4)</source>
        <translation>第 %1 行：%2%3 未发药（%4）</translation>
    </message>
    <message>
        <source>No code scanned on this line.</source>
        <translation>该行尚未扫描追溯码。</translation>
    </message>
    <message>
        <source>Removed %1</source>
        <translation>已撤销 %1</translation>
    </message>
    <message>
        <source>Nothing dispensed: %1 is closed</source>
        <translation>未发药：订单 %1 已结束</translation>
    </message>
    <message>
        <source>Dispensed in part: %1 (%2 line(s) short)</source>
        <translation>部分发药完成：%1（%2 行未足量）</translation>
    </message>
    <message>
        <source>Dispensing complete: %1</source>
        <translation>发药完成：%1</translation>
    </message>
    <message>
        <source>Not dispensed</source>
        <translation>未发药</translation>
    </message>
    <message>
        <source>Why is it not dispensed?</source>
        <translation>未发药原因：</translation>
    </message>
</context>
<context>
    <name>InboxView</name>
    <message>
        <source>Order</source>
        <translation>订单号</translation>
    </message>
    <message>
        <source>Prescription</source>
        <translation>处方号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>支付</translation>
    </message>
    <message>
        <source>Time left to accept</source>
        <translation>接单倒计时</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接单</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退单</translation>
    </message>
    <message>
        <source>Dispense</source>
        <translation>配药</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Accepted: %1</source>
        <translation>已接单：%1</translation>
    </message>
    <message>
        <source>Returned: %1 (%2)</source>
        <translation>已退单：%1（%2）</translation>
    </message>
    <message>
        <source>Accept the order before dispensing it.</source>
        <translation>请先接单再配药。</translation>
    </message>
    <message>
        <source>Return the order</source>
        <translation>退单</translation>
    </message>
    <message>
        <source>Why is the order returned?</source>
        <translation>退单原因：</translation>
    </message>
</context>
<context>
    <name>PharmacyLabels</name>
    <message>
        <source>Store pickup</source>
        <translation>到店自取</translation>
    </message>
    <message>
        <source>Courier delivery</source>
        <translation>快递配送</translation>
    </message>
    <message>
        <source>Delivery to the hospital</source>
        <translation>配送到院内</translation>
    </message>
    <message>
        <source>Waiting to be accepted</source>
        <translation>待接单</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已支付</translation>
    </message>
    <message>
        <source>Unpaid</source>
        <translation>未支付</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接单</translation>
    </message>
    <message>
        <source>Timed out</source>
        <translation>已超时</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>处理中…</translation>
    </message>
</context>
<context>
    <name>PharmacyWindow</name>
    <message>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Dispensing</source>
        <translation>配药发药</translation>
    </message>
    <message>
        <source>Pickup / delivery</source>
        <translation>取药 / 配送</translation>
    </message>
    <message>
        <source>Day summary</source>
        <translation>日报</translation>
    </message>
    <message>
        <source>Store profile</source>
        <translation>门店资料</translation>
    </message>
    <message>
        <source>Prescription circulation platform · Pharmacy counter</source>
        <translation>处方流转平台 · 药店柜台</translation>
    </message>
    <message>
        <source>Scanner unavailable: %1</source>
        <translation>扫码枪不可用：%1</translation>
    </message>
    <message>
        <source>New order %1</source>
        <translation>新订单 %1</translation>
    </message>
    <message>
        <source>Order paid %1</source>
        <translation>订单已支付 %1</translation>
    </message>
    <message>
        <source>Receipt and labels printed</source>
        <translation>小票和标签已打印</translation>
    </message>
    <message>
        <source>Could not write the PDF: %1</source>
        <translation>无法保存 PDF：%1</translation>
    </message>
    <message>
        <source>Receipt and labels saved as PDF: %1</source>
        <translation>小票和标签已存为 PDF：%1</translation>
    </message>
    <message>
        <source>Save receipt and labels</source>
        <translation>保存小票和标签</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
</context>
<context>
    <name>ProfileScreen</name>
    <message>
        <source>Set by the hospital (read-only)</source>
        <translation>由医院设定（只读）</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>遴选状态</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Drug trading licence</source>
        <translation>药品经营许可证</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Contact person</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Region code</source>
        <translation>行政区划代码</translation>
    </message>
    <message>
        <source>Delivery capabilities</source>
        <translation>配送能力</translation>
    </message>
    <message>
        <source>Delivers to hospitals</source>
        <translation>配送到院内的医院</translation>
    </message>
    <message>
        <source>Courier regions</source>
        <translation>快递可达地区</translation>
    </message>
    <message>
        <source>Kept by the store</source>
        <translation>本店维护</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>e.g. 08:00-12:00, 14:00-21:00; empty: closed</source>
        <translation>如 08:00-12:00, 14:00-21:00；留空为休息</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Closed all day</source>
        <translation>全天休息</translation>
    </message>
    <message>
        <source>Special hours</source>
        <translation>特殊营业时段</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Add holiday / special day</source>
        <translation>添加节假日 / 特殊营业日</translation>
    </message>
    <message>
        <source>Remove selected day</source>
        <translation>删除选中日期</translation>
    </message>
    <message>
        <source>Holidays and special days</source>
        <translation>节假日与特殊营业日</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新读取</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Store pickup: %1</source>
        <translation>到店自提：%1</translation>
    </message>
    <message>
        <source>Delivery to the hospital: %1</source>
        <translation>配送到院内：%1</translation>
    </message>
    <message>
        <source>Same-day delivery: %1</source>
        <translation>当日达：%1</translation>
    </message>
    <message>
        <source>nationwide</source>
        <translation>全国</translation>
    </message>
    <message>
        <source>No courier delivery</source>
        <translation>不提供快递</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>Special day, row %1</source>
        <translation>特殊营业日第 %1 行</translation>
    </message>
    <message>
        <source>write hours as HH:MM-HH:MM, several separated by commas (not “%1”)</source>
        <translation>营业时段应写作 HH:MM-HH:MM，多个时段用逗号分隔（“%1”不符）</translation>
    </message>
    <message>
        <source>times run from 00:00 to 24:00 (not “%1”)</source>
        <translation>时间应在 00:00 到 24:00 之间（“%1”不符）</translation>
    </message>
    <message>
        <source>write the date as YYYY-MM-DD (not “%1”)</source>
        <translation>日期格式应为 YYYY-MM-DD（“%1”不符）</translation>
    </message>
    <message>
        <source>the date %1 is there twice</source>
        <translation>日期 %1 重复</translation>
    </message>
    <message>
        <source>a day that is not closed needs its special hours</source>
        <translation>不休息的特殊日期须填写营业时段</translation>
    </message>
    <message>
        <source>only digits, spaces, + and - (not “%1”)</source>
        <translation>只能包含数字、空格、+ 和 -（“%1”不符）</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Workstation configuration</source>
        <translation>工作站配置错误</translation>
    </message>
    <message>
        <source>Log in · Pharmacy counter</source>
        <translation>登录 · 药店柜台</translation>
    </message>
</context>
<context>
    <name>SummaryView</name>
    <message>
        <source>Day summary</source>
        <translation>日报</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Orders accepted</source>
        <translation>接单数（笔）</translation>
    </message>
    <message>
        <source>Amount of the orders accepted</source>
        <translation>接单金额</translation>
    </message>
    <message>
        <source>Traceability codes scanned</source>
        <translation>扫描追溯码（个）</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Day summary %1</source>
        <translation>%1 日报</translation>
    </message>
</context>
</TS>
