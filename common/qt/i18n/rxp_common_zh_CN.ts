<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Countdown</name>
    <message>
        <source>Overdue %1</source>
        <translation>已超时 %1</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>剩余 %1</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Program error</source>
        <translation>程序错误</translation>
    </message>
    <message>
        <source>The program ran into an unexpected error; the current operation was not completed.</source>
        <translation>程序遇到意外错误，当前操作未完成。</translation>
    </message>
    <message>
        <source>The error details were saved to:
%1
Please give this file to the IT department.</source>
        <translation>错误详情已保存到：
%1
请将此文件提供给信息科。</translation>
    </message>
    <message>
        <source>The error details could not be saved (%1). Please tell the IT department.</source>
        <translation>错误详情未能保存（%1），请联系信息科。</translation>
    </message>
    <message>
        <source>The program will close after you press OK; please open it again.</source>
        <translation>点击“确定”后程序将关闭，请重新打开。</translation>
    </message>
    <message>
        <source>After you press OK the program returns to its start screen.</source>
        <translation>点击“确定”后将返回初始界面。</translation>
    </message>
</context>
<context>
    <name>CredentialForm</name>
    <message>
        <source>Enter your username</source>
        <translation>请输入用户名</translation>
    </message>
    <message>
        <source>Enter your password</source>
        <translation>请输入密码</translation>
    </message>
    <message>
        <source>Enter the 6-digit code from your authenticator</source>
        <translation>请输入身份验证器上的 6 位动态验证码</translation>
    </message>
</context>
<context>
    <name>Failure</name>
    <message>
        <source>Cannot reach the server. Check the network and try again.</source>
        <translation>无法连接服务器，请检查网络后重试。</translation>
    </message>
    <message>
        <source>Unexpected error: %1</source>
        <translation>发生意外错误：%1</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Screen locked</source>
        <translation>屏幕已锁定</translation>
    </message>
    <message>
        <source>The screen was locked after a period of inactivity.
%1, enter your password to continue.</source>
        <translation>长时间未操作，屏幕已锁定。
%1，请输入密码继续。</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Log in · Prescription circulation platform</source>
        <translation>登录 · 处方流转平台</translation>
    </message>
    <message>
        <source>6 digits</source>
        <translation>6 位数字</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Verification code</source>
        <translation>动态验证码</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Logging in…</source>
        <translation>正在登录…</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <source>less than a minute</source>
        <translation>不到 1 分钟</translation>
    </message>
    <message numerus="yes">
        <source>%n minutes</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hours</source>
        <translation>
            <numerusform>%n 小时</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>Offline since %1 (%2). Your work is kept and will be sent when the connection is back.</source>
        <translation>网络已断开：自 %1 起（持续 %2）。已完成的操作已保存，网络恢复后自动上传。</translation>
    </message>
</context>
<context>
    <name>PassLevel</name>
    <message>
        <source>Contraindicated</source>
        <translation>禁用</translation>
    </message>
    <message>
        <source>Not recommended</source>
        <translation>不推荐</translation>
    </message>
    <message>
        <source>Use with caution</source>
        <translation>慎用</translation>
    </message>
    <message>
        <source>Low risk</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>No problem found</source>
        <translation>未发现问题</translation>
    </message>
    <message>
        <source>Not checked</source>
        <translation>未审查</translation>
    </message>
</context>
<context>
    <name>PatientBanner</name>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>Sex unknown</source>
        <translation>性别未知</translation>
    </message>
    <message>
        <source>Age unknown</source>
        <translation>年龄未知</translation>
    </message>
    <message numerus="yes">
        <source>%n years</source>
        <translation>
            <numerusform>%n岁</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n months</source>
        <translation>
            <numerusform>%n个月</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n days</source>
        <translation>
            <numerusform>%n天</numerusform>
        </translation>
    </message>
    <message>
        <source>Allergies: not recorded</source>
        <translation>过敏史：未记录</translation>
    </message>
    <message>
        <source>No known allergies</source>
        <translation>无已知过敏</translation>
    </message>
    <message>
        <source>Allergies: %1</source>
        <translation>过敏：%1</translation>
    </message>
    <message>
        <source>Diagnoses: none</source>
        <translation>诊断：无</translation>
    </message>
    <message>
        <source>Diagnoses: %1</source>
        <translation>诊断：%1</translation>
    </message>
    <message>
        <source>No patient selected</source>
        <translation>未选择患者</translation>
    </message>
    <message>
        <source>%1 kg</source>
        <translation>%1 kg</translation>
    </message>
    <message>
        <source>Pregnant</source>
        <translation>妊娠</translation>
    </message>
    <message>
        <source>Breastfeeding</source>
        <translation>哺乳期</translation>
    </message>
    <message>
        <source>ID: %1</source>
        <translation>身份证：%1</translation>
    </message>
</context>
<context>
    <name>SearchBox</name>
    <message>
        <source>Name, pinyin initials or code</source>
        <translation>名称、拼音首字母或编码</translation>
    </message>
    <message>
        <source>No match for “%1”</source>
        <translation>没有与“%1”匹配的结果</translation>
    </message>
    <message>
        <source>Search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
</context>
<context>
    <name>WarningList</name>
    <message>
        <source>No warnings</source>
        <translation>无警示信息</translation>
    </message>
</context>
<context>
    <name>WarningRow</name>
    <message>
        <source>Advice: %1</source>
        <translation>建议：%1</translation>
    </message>
</context>
</TS>
