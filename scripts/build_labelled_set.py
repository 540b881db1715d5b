"""Build tests/data/labelled.csv: the labelled accuracy set, written by hand from the shared
reference notes (regulatory, identification, model patterns, IEEE registry spellings).

Labels say what the rules and the cited facts imply, never what covscan happens to print:
positives for every Covered List entry, brand and identifier kind; the known lookalikes and
ordinary vendors as negatives; OEM, former-subsidiary, chip-supplier and uncorroborated rows as
`review`. Run: python scripts/build_labelled_set.py
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

COLUMNS = ["asset_id", "vendor", "manufacturer", "brand", "model", "mac", "fcc_id", "sysobjectid", "usb_id",
           "description", "software", "service_provider", "category", "country_of_origin", "use",
           "expected_verdict", "expected_entity", "label_note"]
rows: list[dict[str, str]] = []


def add(verdict: str, entity: str, note: str, **fields: str) -> None:
    rows.append({"expected_verdict": verdict, "expected_entity": entity, "label_note": note, **fields})


def macs(prefix: str, n: int) -> list[str]:
    """n device addresses inside a block prefix (hex digits, any length 6-9)."""
    digits = prefix.replace(":", "").upper()
    out = []
    for i in range(n):
        tail = f"{(0x1A2B3C + i * 0x1111) & 0xFFFFFF:06X}{i:06X}"
        full = (digits + tail)[:12]
        out.append(":".join(full[j:j + 2] for j in range(0, 12, 2)))
    return out


# ------------------------------------------------------------------ Huawei (entry 1, unconditional)
for v in ["Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES CO.,LTD", "Huawei", "HUAWEI", "Huawei Technologies Company",
          "华为技术有限公司", "Huawei Technologies Co.,Ltd", "Huawei Enterprise", "Huawei Device Co., Ltd.", "Huawei Device"]:
    add("covered", "huawei", "Huawei name or subsidiary", vendor=v)
for v in ["Huawai Technologies", "Hauwei"]:
    add("covered", "huawei", "typo of Huawei", vendor=v)
for m in ["HG8245H", "HG8145V5", "HN8055Q", "EchoLife HG8247H", "HG8121H"]:
    add("covered", "huawei", "EchoLife ONT model", model=m)
for m in ["S5731-S24T4X", "S5700EC-H48T4YC-MA", "CE6870EI", "NE40E-X8", "AR2200", "E3372"]:
    add("covered", "huawei", "Huawei model with Huawei vendor", vendor="Huawei", model=m)
for f in ["QISVOG-L29", "QISKOB-W09", "QISEM770W", "QISSNE-LX3", "QISANE-LX1", "QISLYA-LX9", "QISCLT-L29"]:
    add("covered", "huawei", "grantee QIS", fcc_id=f)
for m in macs("00:18:82", 3) + macs("00:25:68", 2) + macs("00:3D:E1", 3):
    add("covered", "huawei", "Huawei MA-L", mac=m)
add("covered", "huawei", "PEN 2011", sysobjectid="1.3.6.1.4.1.2011.2.23.96")
add("covered", "huawei", "PEN 2011", sysobjectid=".1.3.6.1.4.1.2011.2.224.279")
add("covered", "huawei", "USB 12d1", usb_id="12d1:1506")
add("covered", "huawei", "PCI 19e5", usb_id="PCI\\VEN_19E5&DEV_1822")
add("covered", "huawei", "description", description="Huawei OptiX OSN 1800 transport shelf")
add("covered", "huawei", "description", description="GPON ONT Huawei EchoLife HG8245H")
add("covered", "huawei", "full inventory row", vendor="Huawei", model="HG8245H", mac=macs("00:1E:10", 1)[0], description="ONT at customer premises", asset_id="RR-1001")
add("covered", "huawei", "full inventory row", manufacturer="Huawei Technologies", model="S5731-S48P4X", mac=macs("00:18:82", 9)[8], asset_id="RR-1002")
add("covered", "huawei", "contains covered module", description="Industrial gateway, Contains FCC ID: QISME909S")
add("covered", "huawei", "cloud service", service_provider="Huawei Cloud")
add("review", "huawei", "HiSilicon chip supplier", vendor="HiSilicon Technologies Co., Ltd")
add("review", "huawei", "HiSilicon SoC string", model="Hi3516EV200")
add("review", "huawei", "HiSilicon NIC MAC", mac=macs("84:8A:59", 1)[0])
add("review", "huawei", "Honor, former subsidiary", vendor="Honor Device Co., Ltd.")
add("review", "huawei", "Honor MAC", mac=macs("00:A3:07", 1)[0])
add("review", "huawei", "uncorroborated modem pattern", model="E3372")
add("review", "huawei", "uncorroborated xDSL pattern", model="HG532e")

# ------------------------------------------------------------------ ZTE (entry 2, unconditional)
for v in ["ZTE Corporation", "zte corporation", "ZTE", "ZTE Corp.", "Zhongxing Telecommunications Equipment Corporation",
          "中兴通讯股份有限公司", "Zhongxing Telecom Ltd.", "ZTE Kangxun Telecommunications Ltd.", "Shanghai ZTE Technologies Co., Ltd.", "ZTE USA"]:
    add("covered", "zte", "ZTE name or subsidiary", vendor=v)
for m in ["ZXHN F660", "ZXHN F670L", "ZXHN H298A", "ZXA10 C300", "ZXA10 C320", "ZXR10 5950-36TM", "ZXV10 W300", "ZXDSL 931VII", "K3565-Z"]:
    add("covered", "zte", "ZTE product line", model=m)
for m in ["MF96U", "MF296C", "F660", "Z233V"]:
    add("covered", "zte", "ZTE model with ZTE vendor", vendor="ZTE", model=m)
for f in ["SRQ-Z233VL", "SRQ-MF296C", "SRQ-MF96U"]:
    add("covered", "zte", "grantee SRQ", fcc_id=f)
for m in macs("00:15:EB", 3) + macs("00:19:C6", 3):
    add("covered", "zte", "ZTE MA-L", mac=m)
add("covered", "zte", "Shanghai ZTE MA-M", mac=macs("AC:64:DD:5", 1)[0])
add("covered", "zte", "PEN 3902", sysobjectid="1.3.6.1.4.1.3902.1082.1001")
add("covered", "zte", "USB 19d2", usb_id="19d2:0117")
add("covered", "zte", "description", description="ZTE ZXHN F670L GPON ONT")
add("covered", "zte", "full inventory row", vendor="ZTE", model="ZXA10 C600", mac=macs("00:1E:73", 1)[0], asset_id="RR-2001", description="OLT in central office")
add("review", "zte", "uncorroborated hotspot pattern", model="MF96U")
add("review", "zte", "uncorroborated bare ONT model", model="F660")
add("covered", "zte", "Nubia, ZTE affiliate (about 49.9%, audit #21)", vendor="Nubia Technology Co., Ltd.")

# ------------------------------------------------------------------ Hytera (entry 3, use-limited)
for v in ["Hytera Communications Corporation Limited", "Hytera", "HYTERA COMMUNICATIONS CO.,LTD", "Hytera US Inc.", "PowerTrunk, Inc.", "Hytera Austria GmbH"]:
    add("conditional", "hytera", "Hytera name or subsidiary", vendor=v)
for m in ["PD782G", "PD79X", "MD782", "HP782"]:
    add("conditional", "hytera", "Hytera radio with vendor", vendor="Hytera", model=m)
for f in ["YAMPD79XISU1", "YAMGTW-RFID"]:
    add("conditional", "hytera", "grantee YAM", fcc_id=f)
for m in macs("64:69:BC", 2) + macs("9C:06:6E", 2):
    add("conditional", "hytera", "Hytera MA-L", mac=m)
add("conditional", "hytera", "PEN 40297", sysobjectid="1.3.6.1.4.1.40297.1.2")
add("conditional", "hytera", "USB 238b", usb_id="238b:0a11")
add("conditional", "hytera", "description", description="Hytera DMR repeater RD985")
add("covered", "hytera", "stated public-safety use", vendor="Hytera", model="PD782G", use="police department")
add("conditional", "hytera", "Sepura, Hytera subsidiary since 2017 (audit #13)", vendor="Sepura Limited")
add("conditional", "hytera", "Norsat, Hytera subsidiary since 2017-07-20 (audit #13)", vendor="Norsat International Inc.")
add("review", "hytera", "uncorroborated radio pattern", model="PD782G")
add("conditional", "hytera", "Norsat MA-S (audit #13)", mac=macs("70:B3:D5:0A:E", 1)[0])

# ------------------------------------------------------------------ Hikvision (entry 4, use-limited)
for v in ["Hangzhou Hikvision Digital Technology Co., Ltd.", "HIKVISION", "Hikvision", "Hikvision Digital Technology", "Hikvision USA, Inc.",
          "杭州海康威视数字技术股份有限公司", "Hikvison", "Hikvsion", "EZVIZ", "Hangzhou Ezviz Software Co.,Ltd.", "HiLook", "HiWatch",
          "HIKMICRO", "Prama Hikvision India Private Limited", "Hangzhou Hikrobot Technology Co., Ltd."]:
    add("conditional", "hikvision", "Hikvision name, subsidiary or brand", vendor=v)
for m in ["DS-2CD2143G2-I", "DS-2CD2387G2-LU", "DS-2CD2343G2-IU", "DS-2CE16D0T-IRPF", "iDS-2CD7A46G0-IZHSYR", "DS-2DE4A425IWG",
          "DS-7608NI-I2", "DS-7732NXI-I4/16P/S", "DS-9616NXI-I8/S", "DS-MP5604-SD", "DS-KV6113-WPE1", "DS-PD1-MC-WWS"]:
    add("conditional", "hikvision", "Hikvision model", model=m)
add("conditional", "hikvision", "EZVIZ model with EZVIZ brand", brand="EZVIZ", model="CS-C6N-A0-1C2WFR")
add("conditional", "hikvision", "HiLook model with HiLook brand", brand="HiLook", model="IPC-B140H")
for f in ["2ADTD-5604SD", "2ADTD-K1T607TEF"]:
    add("conditional", "hikvision", "grantee 2ADTD", fcc_id=f)
for m in macs("00:BC:99", 2) + macs("04:03:12", 2) + macs("04:EE:CD", 2) + macs("0C:A6:4C", 2) + macs("24:B1:05", 1):
    add("conditional", "hikvision", "Hikvision / EZVIZ / Prama MA-L", mac=m)
add("conditional", "hikvision", "Prama Hikvision MA-L", mac=macs("BC:29:78", 1)[0])
add("conditional", "hikvision", "Hikrobot MA-M", mac=macs("B0:B3:53:6", 1)[0])
add("conditional", "hikvision", "PEN 39165", sysobjectid="1.3.6.1.4.1.39165.1.1")
add("conditional", "hikvision", "description", description="Hikvision 4MP AcuSense turret camera")
add("conditional", "hikvision", "catalog title with model", description="4MP Dome Camera DS-2CD2143G2-I 2.8mm PoE")
add("conditional", "hikvision", "full inventory row", vendor="Hikvision", model="DS-2CD2143G2-I", mac=macs("04:03:12", 5)[4], asset_id="CAM-0101", description="Lobby camera")
add("conditional", "hikvision", "white-label vendor, Hikvision model", vendor="LTS", model="DS-2CD2143G2-I")
add("covered", "hikvision", "stated use government facility", vendor="Hikvision", model="DS-2CD2387G2-LU", use="government facility")
add("covered", "hikvision", "stated use critical infrastructure", vendor="Hikvision", use="critical infrastructure - water treatment plant")
add("clear", "", "stated use outside the four uses", vendor="Hikvision", model="DS-2CD2387G2-LU", use="retail store")
add("review", "hikvision", "LTS OEM", vendor="LT Security Inc")
add("review", "hikvision", "LTS MAC", mac=macs("14:2F:FD", 1)[0])
add("review", "hikvision", "Annke OEM", vendor="Annke")
add("review", "hikvision", "Swann OEM (low)", vendor="Swann")
add("conditional", "hikvision", "Hikstorage, Hikvision subsidiary (audit #17)", vendor="Wuhan Hikstorage Technology Co.,Ltd")
add("review", "hikvision", "Hikailink (unverified link)", vendor="ZHEJIANG HIKAILINK TECHNOLOGY Co., Ltd")
add("review", "hikvision", "EZVIZ grantee code low confidence", fcc_id="2APV2-CS-C6N")
add("review", "hikvision", "EZVIZ model alone", model="CS-C6N-A0-1C2WFR")

# ------------------------------------------------------------------ Dahua (entry 5, use-limited)
for v in ["Zhejiang Dahua Technology Co., Ltd.", "Dahua Technology", "Dahua", "DAHUA", "Dahua Technology Company",
          "浙江大华技术股份有限公司", "ZHEJIANG DAHUA TECHNOLOGYCO.,LTD", "Zhejiang Dahua Vision Technology Co., Ltd.", "Dahau",
          "Dahua Security"]:
    add("conditional", "dahua", "Dahua name or brand", vendor=v)
for v in ["Imou", "Lechange", "Hangzhou Huacheng Network Technology Co.,Ltd"]:
    add("review", "dahua", "Huacheng (Imou), sold by Dahua in 2025 (audit #5)", vendor=v)
for m in ["IPC-HDW5231R-ZE", "IPC-HFW2831S-S-S2", "IPC-HDBW3841E-AS", "DH-IPC-HDW2449T-S-PRO", "DH-XVR5104H-I",
          "DH-XVR5816S-4KL-I2-LP", "DH-SD2AY", "SD5A425XA-HNR", "TPC-BF1241-T-B3F4-DW-S8", "VTO2311R-WP", "DHI-DB11"]:
    add("conditional", "dahua", "Dahua model", model=m)
add("conditional", "dahua", "Dahua NVR with vendor", vendor="Dahua", model="NVR4208-4KS2")
add("review", "dahua", "grantee 2AVYF (Huacheng, audit #5)", fcc_id="2AVYF-IPC-F42FX")
for m in macs("38:AF:29", 3) + macs("08:ED:ED", 2) + macs("14:A7:8B", 2):
    add("conditional", "dahua", "Dahua MA-L", mac=m)
add("review", "dahua", "Huacheng MA-L (audit #5)", mac=macs("1C:4D:89", 1)[0])
add("conditional", "dahua", "PEN 37496", sysobjectid="1.3.6.1.4.1.37496.1.1")
add("conditional", "dahua", "description", description="Dahua 8MP WizSense bullet camera")
add("conditional", "dahua", "OEM brand with Dahua model", vendor="Amcrest", model="IPC-HDW5231R-ZE")
add("conditional", "dahua", "OEM brand with Dahua model", vendor="EmpireTech", model="IPC-HDW5442TM-AS")
add("conditional", "dahua", "conflict: HiLook vendor, Dahua model", vendor="HiLook", model="IPC-HDW5231R-ZE")
add("conditional", "dahua", "full inventory row", vendor="Dahua", model="IPC-HFW2831S-S-S2", mac=macs("24:52:6A", 1)[0], asset_id="CAM-0202")
add("covered", "dahua", "stated use public safety", vendor="Dahua", use="public safety")
add("review", "dahua", "Lorex, former subsidiary", vendor="Lorex")
add("review", "dahua", "Lorex, former subsidiary", vendor="Lorex Technology Inc.")
add("review", "dahua", "Lorex MAC", mac=macs("00:1F:54", 1)[0])
add("review", "dahua", "Amcrest OEM", vendor="Amcrest")
add("review", "dahua", "Amcrest MAC", mac=macs("9C:8E:CD", 1)[0])
add("review", "dahua", "EmpireTech OEM", vendor="EmpireTech")
add("review", "dahua", "IC Realtime OEM (low)", vendor="IC Realtime")
add("review", "dahua", "Dahua USA sold 2024", vendor="Dahua Technology USA Inc.")
add("review", "dahua", "Luminys, buyer of Dahua USA", vendor="Luminys Systems Corp.")
add("review", "dahua", "IndigoVision former OEM", vendor="IndigoVision")
add("review", "dahua", "SVN grantee code unverified", fcc_id="SVNDH-SD2AY")
add("review", "dahua", "generic NVR pattern alone", model="NVR2108-8P-4KS2")

# ------------------------------------------------------------------ Kaspersky (entries 6 and 11, software)
for s in ["Kaspersky Endpoint Security for Business", "Kaspersky Anti-Virus 2024", "Kaspersky Security Center 14", "Kaspersky Total Security",
          "Kaspersky Internet Security", "Kaspersky Small Office Security"]:
    add("covered", "kaspersky", "Kaspersky software", software=s)
for v in ["AO Kaspersky Lab", "Kaspersky Lab, Inc.", "Kaspersky Lab", "Kaspersky"]:
    add("covered", "kaspersky", "Kaspersky vendor", vendor=v)
add("covered", "kaspersky", "equipment with integrated Kaspersky", description="UTM firewall appliance with integrated Kaspersky anti-virus engine")
add("covered", "kaspersky", "Kaspersky MAC (MA-M)", mac=macs("2C:C4:4F:9", 1)[0])

# ------------------------------------------------------------------ carriers and other service providers (services)
for sp, ent in [("China Mobile International USA Inc.", "china-mobile"), ("China Mobile International", "china-mobile"), ("China Mobile", "china-mobile"),
                ("China Telecom (Americas) Corp.", "china-telecom"), ("China Telecom Americas", "china-telecom"), ("China Telecom", "china-telecom"),
                ("China Unicom (Americas) Operations Limited", "china-unicom"), ("China Unicom Americas", "china-unicom"), ("China Unicom", "china-unicom"),
                ("Pacific Networks Corp.", "pacific-networks"), ("ComNet (USA) LLC", "pacific-networks"), ("Digitalsystem Technology Inc.", "digitalsystem")]:
    add("covered", ent, "section 214 service provider", service_provider=sp, description="international transit circuit")
add("review", "china-mobile", "equipment under a services-only name", vendor="China Mobile Group Device Co., Ltd.", model="CM-R1")
add("review", "china-mobile", "China Mobile device MAC", mac=macs("00:CF:C0", 1)[0])
add("review", "china-telecom", "equipment under a services-only name", vendor="China Telecom", model="TEWA-708G")

# ------------------------------------------------------------------ category entries (UAS, routers, inverters, robots)
for v, m in [("DJI", "Mavic 3 Enterprise"), ("SZ DJI Technology Co., Ltd.", "Matrice 350 RTK"), ("DJI", "Mini 4 Pro")]:
    add("covered", "dji", "DJI named under entry 12", vendor=v, model=m, category="drone")
add("covered", "dji", "DJI MAC", mac=macs("04:A8:5A", 1)[0])
add("covered", "dji", "DJI in description", description="DJI Osmo Pocket 3 gimbal camera")
add("covered", "autel", "Autel named under entry 12", vendor="Autel Robotics", model="EVO II Pro V3", category="drone")
add("covered", "autel", "Autel Robotics USA MA-M", mac=macs("EC:5B:CD:E", 1)[0])
add("covered", "autel", "Autel Robotics in description", description="Autel Robotics EVO Max 4T thermal drone")
add("covered", "uas", "foreign-produced drone", vendor="Parrot", model="Anafi USA", category="drone", country_of_origin="France")
add("covered", "uas", "foreign-produced quadcopter", description="Racing quadcopter kit", country_of_origin="CN")
add("covered", "uas", "foreign-produced drone battery", description="Intelligent flight battery for drone", country_of_origin="China")
add("clear", "", "US-produced drone", vendor="Skydio", model="X10", category="drone", country_of_origin="United States")
add("covered", "routers", "foreign consumer router", vendor="TP-Link", model="Archer AX55", category="Wi-Fi router", country_of_origin="Vietnam")
add("review", "routers", "foreign consumer router of a series reported (L-M) under NETGEAR's Conditional Approval (audit 2026-12, 2026-04-14 row)", vendor="Netgear", model="RAX50", description="Nighthawk Wi-Fi 6 router", country_of_origin="Taiwan")
add("covered", "routers", "foreign mesh system", description="Mesh WiFi system 3-pack", country_of_origin="China")
add("clear", "", "domestic consumer router", description="Wireless router", country_of_origin="USA")
add("review", "routers", "consumer router, no country", description="Dual band router AC1200")
add("clear", "", "enterprise branch router: entry 13 covers consumer-grade routers only", vendor="Cisco", model="ISR4331", description="branch router", country_of_origin="Mexico")
add("covered", "power-inverters", "foreign solar inverter", description="10kW hybrid inverter with WiFi monitoring", country_of_origin="China")
add("covered", "power-inverters", "foreign microinverter", category="microinverter", country_of_origin="China")
add("clear", "", "domestic microinverter", vendor="Enphase", category="microinverter", country_of_origin="United States")
add("review", "power-inverters", "inverter, no country", description="Solar inverter 5kW")
add("covered", "robotic-devices", "foreign quadruped", description="Quadruped robot dog with lidar", country_of_origin="China")
add("covered", "robotic-devices", "foreign humanoid", category="humanoid robot", country_of_origin="China")
add("clear", "", "domestic quadruped", vendor="Boston Dynamics", description="Spot quadruped robot", country_of_origin="United States")

# ------------------------------------------------------------------ traps (hard negatives)
for v in ["Aztech Electronics Pte Ltd", "Aztech Systems", "Aztech", "ZTEX GmbH", "Naztec, Inc.", "ZTEC Instruments", "Kaztek Systems",
          "Shenztech Ltd", "Prizor Viztech Limited", "Shanghai Dahua Scale Factory", "Wuxi Zhongxing Optoelectronics Technology Co.,Ltd.",
          "Hangzhou Zhongxinghui Intelligent Technology Co., Ltd.", "New H3C Technologies Co., Ltd", "H3C", "Huawei-3Com",
          "Hikari Co.,Ltd.", "Hikari Trading Co.,Ltd.", "Shenzhen Hikeen Technology CO.,LTD", "Juniper Systems", "Juniper Networks",
          "Jorex Lorex India Private Limited", "SHENZHEN HUACHUANG SHIDAI TECHNOLOGYCO.,LTD", "Zhejiang Uniview Technologies Co., Ltd.",
          "Uniview", "Beijing Autelan Technology Co.,Ltd", "Synology", "D-Link", "Jiangsu Dahua Machinery Co."]:
    add("clear", "", "lookalike vendor", vendor=v)
add("clear", "", "Synology NAS is not a Hikvision DS- model", vendor="Synology", model="DS920+")
add("clear", "", "Synology NAS model alone", model="DS918+")
add("clear", "", "D-Link switch model", vendor="D-Link", model="DS-1210-28")
add("clear", "", "Linksys router model looks like a Huawei modem", vendor="Linksys", model="E4200")
add("clear", "", "HP switch model looks like a Huawei modem", vendor="HP", model="E2620-24")
add("clear", "", "H3C switch shares S-series naming", vendor="H3C", model="S5120-28P-SI")
add("clear", "", "H3C Comware version", vendor="H3C", model="V300R002B62D014")
add("clear", "", "Uniview camera", vendor="Uniview", model="IPC3614SB-ADF28KM-I0")
add("clear", "", "Aztech USB vendor", usb_id="0509:0801")
add("clear", "", "ZTEX USB vendor", usb_id="221a:0100")
add("clear", "", "H3C PEN", sysobjectid="1.3.6.1.4.1.25506.1.1")
add("clear", "", "WuXi ZhongXing PEN", sysobjectid="1.3.6.1.4.1.29279.1")
for prefix in ["40:2C:76:1", "8C:1F:64:F4:B", "8C:1F:64:16:6", "00:50:C2:F7:D", "4C:EA:41:E", "60:A4:34:2", "F8:C9:D6:C", "00:41:B4", "00:BE:D5", "00:26:75", "00:13:52", "0C:05:35", "00:08:C4"]:
    add("clear", "", "lookalike MAC block", mac=macs(prefix, 1)[0])
add("clear", "", "accessory for a covered brand", description="Power adapter compatible with Hikvision cameras")
add("clear", "", "accessory for a covered brand", description="Replacement remote for Huawei routers")
add("clear", "", "accessory for a covered brand", description="Junction box for Dahua dome cameras")

# ------------------------------------------------------------------ ordinary negatives
for v, m in [("Cisco", "C9300-48P"), ("Cisco Systems", "ISR4451-X"), ("Juniper Networks", "EX4300-48T"), ("Arista Networks", "DCS-7050SX3-48YC8"),
             ("Axis Communications", "P3245-LVE"), ("Bosch Security Systems", "FLEXIDOME IP 5000i"), ("Hanwha Vision", "XNV-8080R"),
             ("Apple", "iPhone 15 Pro"), ("Samsung", "Galaxy S24"), ("Dell", "Latitude 7440"), ("Lenovo", "ThinkPad T14"),
             ("Ubiquiti", "UniFi U6-Pro"), ("MikroTik", "CCR2004-16G-2S+"), ("Netgear", "GS308"), ("Motorola Solutions", "APX 6000"),
             ("Milesight", "MS-C8165-PB"), ("Reolink", "RLC-810A"), ("Vivotek", "FD9389-HV"), ("Mobotix", "M16"), ("i-PRO", "WV-S2136"),
             ("Tiandy", "TC-C34XN"), ("FiberHome", "AN5506-04-F"), ("Ruijie Networks", "RG-S5750"), ("Nokia", "7750 SR-1"),
             ("Ericsson", "Router 6672"), ("Honeywell", "HC30W"), ("Wyze", "Cam v3"), ("Adtran", "NetVanta 3140"), ("Microsoft", "Surface Pro 9")]:
    add("clear", "", "ordinary vendor", vendor=v, model=m)
for m in macs("00:00:0C", 2) + macs("00:03:93", 2) + macs("00:40:8C", 2):
    add("clear", "", "Cisco / Apple / Axis MAC", mac=m)
for m in ["DA:A1:19:00:11:22", "3A:AF:29:12:34:56", "02:18:82:AA:BB:CC", "0A:BC:99:01:02:03"]:
    add("clear", "", "randomized or locally administered MAC", mac=m)
add("clear", "", "multicast MAC", mac="01:00:5E:00:00:FB")
for s in ["Microsoft Defender for Endpoint", "CrowdStrike Falcon", "Sophos Intercept X", "ESET Endpoint Security"]:
    add("clear", "", "other security software", software=s)
for sp in ["Verizon Business", "AT&T", "Lumen Technologies"]:
    add("clear", "", "other carrier", service_provider=sp, description="international transit circuit")
for f in ["BCG-E3178A", "2AC7Z-ESPWROOM32", "A3LSMS911U", "Q87-WNR2000V5", "PD9AX210NG"]:
    add("clear", "", "FCC ID of another grantee", fcc_id=f)
add("clear", "", "Cisco PEN", sysobjectid="1.3.6.1.4.1.9.1.2593")
add("clear", "", "Apple USB", usb_id="05ac:12a8")
for d in ["Office chair, ergonomic", "27-inch monitor", "Cat6 patch cable 2m", "Engineering workstation", "Axis P3245 dome camera",
          "Ring doorbell", "UPS 1500VA", "Conference phone", "Label printer", "Rack PDU 16A"]:
    add("clear", "", "ordinary asset", description=d)


# ------------------------------------------------------------------ network observations (labelled observation records)
observations: list[dict] = []


def observe(verdict: str, entity: str, note: str, *services: dict, mac: str | None = None) -> None:
    ip = f"192.0.2.{len(observations) % 250 + 1}"
    record = {"ip": ip, "source": "labelled", "services": list(services), "expected_verdict": verdict, "expected_entity": entity, "note": note}
    if mac:
        record["mac"] = mac
    observations.append(record)


def svc(port: int, protocol: str = "tcp", **fields) -> dict:
    return {"port": port, "protocol": protocol, **fields}


# one record per fingerprint rule, with its published example (from the rule's cited source)
for kind, port, proto, text, verdict, entity in [
    ("http_server", 80, "tcp", "Hikvision-Webs", "conditional", "hikvision"),
    ("http_server", 80, "tcp", "DNVRS-Webs", "review", "hikvision"),
    ("http_server", 80, "tcp", "DVRDVS-Webs", "review", "hikvision"),
    ("http_server", 80, "tcp", "App-webs/", "review", "hikvision"),
    ("http_server", 80, "tcp", "Mini web server 1.0 ZTE corp 2005.", "covered", "zte"),
    ("http_server", 80, "tcp", "Huawei-ATP-IGD", "covered", "huawei"),
    ("http_server", 81, "tcp", "Cross Web Server", "review", "huawei"),
    ("http_title", 80, "tcp", "DVR Components Download", "review", "huawei"),
    ("http_title", 80, "tcp", "ZXHN F670L", "covered", "zte"),
    ("http_title", 80, "tcp", "EchoLife HG8245H", "covered", "huawei"),
    ("http_title", 80, "tcp", "Hytera RD985 Repeater", "conditional", "hytera"),
    ("http_title", 443, "tcp", "Kaspersky Security Center Web Console", "covered", "kaspersky"),
    ("www_authenticate", 80, "tcp", 'Digest realm="Hikvision", qop="auth"', "conditional", "hikvision"),
    ("www_authenticate", 80, "tcp", 'Basic realm="HuaweiHomeGateway"', "covered", "huawei"),
    ("www_authenticate", 80, "tcp", 'Basic realm="cpe@zte.com"', "covered", "zte"),
    ("rtsp_server", 554, "tcp", 'Digest realm="Hikvision", nonce="f0"', "conditional", "hikvision"),
    ("rtsp_server", 554, "tcp", "Dahua Rtsp Server", "review", "dahua"),
    ("tls_subject", 443, "tcp", "C=CN,L=HangZhou,O=HIKVISION,OU=DVRNVR,CN=www.hikvision.com", "conditional", "hikvision"),
    ("tls_issuer", 443, "tcp", "O=Dahua,CN=Dahua Device NVR CA", "conditional", "dahua"),
    ("ssh_banner", 22, "tcp", "SSH-2.0-HUAWEI-1.5", "covered", "huawei"),
    ("telnet_banner", 23, "tcp", "192.0.0.64 login:", "review", "hikvision"),
    ("telnet_banner", 23, "tcp", "ZXHN H108N login:", "covered", "zte"),
    ("snmp_sysdescr", 161, "udp", "Huawei Versatile Routing Platform Software, VRP (R) software, Version 5.170", "covered", "huawei"),
    ("snmp_sysdescr", 161, "udp", "ZXR10 5950-36TM Software, Version V5.00.10", "covered", "zte"),
    ("snmp_sysdescr", 161, "udp", "Hytera RD985 DMR Repeater V8.0", "conditional", "hytera"),
    ("snmp_sysobjectid", 161, "udp", "1.3.6.1.4.1.2011.2.23.96", "covered", "huawei"),
    ("snmp_sysobjectid", 161, "udp", "1.3.6.1.4.1.37496.1.1", "conditional", "dahua"),
    ("snmp_sysobjectid", 161, "udp", "1.3.6.1.4.1.40297.1.2.3", "conditional", "hytera"),
    ("sip_user_agent", 5060, "udp", "HUAWEI-EchoLife HG8121H", "covered", "huawei"),
    ("sip_user_agent", 5060, "udp", "ZXHN H298A V1.0", "covered", "zte"),
    ("sip_server", 5060, "udp", "ZXV10 H618B", "covered", "zte"),
    ("dhcp_vendor_class", 67, "udp", "HUAWEI:android:VOG-L29", "covered", "huawei"),
    ("favicon_md5", 80, "tcp", "89b932fcc47cf4ca3faadb0cfdef89cf", "review", "hikvision"),
    ("ftp_banner", 21, "tcp", "220 Huawei FTP server ready", "covered", "huawei"),
    ("banner", 8000, "tcp", "Hikvision IP camera httpd", "conditional", "hikvision"),
    ("mdns", 5353, "udp", "DJI-Dock2._http._tcp.local. DJI Dock 2", "covered", "dji"),
]:
    observe(verdict, entity, f"{kind} rule example", svc(port, proto, **{kind: text}))
observe("conditional", "hikvision", "ONVIF scopes", svc(3702, "udp", onvif_scopes=["onvif://www.onvif.org/name/HIKVISION", "onvif://www.onvif.org/hardware/DS-2CD2143G2-I"]))
observe("conditional", "dahua", "ONVIF scopes", svc(3702, "udp", onvif_scopes=["onvif://www.onvif.org/name/Dahua", "onvif://www.onvif.org/hardware/IPC-HDW5231R-ZE"]))
observe("conditional", "dahua", "ONVIF scopes of an OEM camera reporting the Dahua model", svc(3702, "udp", onvif_scopes=["onvif://www.onvif.org/name/Amcrest", "onvif://www.onvif.org/hardware/IPC-HDW5442TM-AS"]))
observe("conditional", "hikvision", "ONVIF scopes of an EZVIZ camera", svc(3702, "udp", onvif_scopes=["onvif://www.onvif.org/name/EZVIZ", "onvif://www.onvif.org/hardware/CS-C6N-A0-1C2WFR"]))
observe("covered", "zte", "UPnP description", svc(1900, "udp", upnp_manufacturer="ZTE", upnp_model="ZXHN F670L"))
observe("covered", "huawei", "UPnP description", svc(1900, "udp", upnp_manufacturer="Huawei Technologies Co., Ltd.", upnp_model="HG8245H"))
observe("covered", "dji", "UPnP description", svc(1900, "udp", upnp_manufacturer="DJI", upnp_model="DJI Dock 2"))
observe("conditional", "hikvision", "SADP reply with a Hikvision model", svc(37020, "udp", sadp={"device_type": "138153", "model": "DS-2CD2143G2-I", "serial": "DS-2CD2143G2-I20231001AAWRJ12345678", "mac": "44-19-b6-00-00-11"}))
observe("review", "hikvision", "SADP reply from a rebranded device", svc(37020, "udp", sadp={"device_type": "30000", "model": "LTN8708-P8"}))
observe("conditional", "dahua", "DHIP reply", svc(37810, "udp", dhip={"DeviceType": "IPC-HDW5231R-ZE", "Vendor": "Dahua"}))
observe("conditional", "dahua", "DHIP reply of an OEM camera with a Dahua model", svc(37810, "udp", dhip={"DeviceType": "IPC-HDW5442TM-AS", "Vendor": "Amcrest"}))
observe("review", "dahua", "DHIP reply of an OEM camera with its own model", svc(37810, "udp", dhip={"DeviceType": "IP8M-2496EB", "Vendor": "Amcrest"}))
observe("conditional", "hikvision", "randomized MAC plus a Hikvision realm", svc(80, www_authenticate='Digest realm="Hikvision"'), mac="02:5a:3c:00:00:17")
observe("review", "hikvision", "NIC-vendor MAC plus a DVRDVS server", svc(80, http_server="DVRDVS-Webs"), mac="00:e0:4c:00:00:16")
observe("covered", "huawei", "Huawei MAC plus SSH banner", svc(22, ssh_banner="SSH-2.0-HUAWEI-1.5"), mac="00:18:82:00:00:01")
observe("conditional", "hikvision", "Hikvision MAC only", mac="44:19:b6:00:00:99")
observe("conditional", "hikvision", "Hikvision MAC and a generic web server", svc(80, http_server="webserver"), mac="04:03:12:00:00:01")
for kind, port, proto, text in [
    ("http_server", 80, "tcp", "Apache/2.4.57 (Debian)"), ("http_server", 80, "tcp", "nginx/1.22.1"), ("http_server", 80, "tcp", "lighttpd/1.4.69"),
    ("http_server", 80, "tcp", "GoAhead-Webs"), ("http_server", 80, "tcp", "Microsoft-IIS/10.0"), ("http_title", 80, "tcp", "AXIS"),
    ("http_title", 80, "tcp", "Aztech DSL5001EN"), ("http_title", 80, "tcp", "Synology DiskStation DS920+"), ("www_authenticate", 80, "tcp", 'Basic realm="Netgear GS308"'),
    ("tls_subject", 443, "tcp", "CN=axis-accc8e123456,O=Axis Communications AB"), ("tls_issuer", 443, "tcp", "CN=R11,O=Let's Encrypt,C=US"),
    ("rtsp_server", 554, "tcp", "GStreamer RTSP server"), ("ssh_banner", 22, "tcp", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"), ("ssh_banner", 22, "tcp", "SSH-2.0-Cisco-1.25"),
    ("telnet_banner", 23, "tcp", "User Access Verification Username:"), ("ftp_banner", 21, "tcp", "220 ProFTPD Server ready."),
    ("snmp_sysdescr", 161, "udp", "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8"),
    ("snmp_sysdescr", 161, "udp", "H3C Comware Platform Software, Software Version 5.20.99, Release 1118P02"),
    ("snmp_sysdescr", 161, "udp", "Juniper Networks, Inc. ex4300-48t Ethernet Switch, kernel JUNOS 21.4R3"),
    ("snmp_sysobjectid", 161, "udp", "1.3.6.1.4.1.9.1.1208"), ("snmp_sysobjectid", 161, "udp", "1.3.6.1.4.1.25506.1.1"),
    ("sip_user_agent", 5060, "udp", "Yealink SIP-T46S 66.86.0.15"), ("dhcp_vendor_class", 67, "udp", "MSFT 5.0"), ("dhcp_vendor_class", 67, "udp", "android-dhcp-14"),
    ("mdns", 5353, "udp", "_ipp._tcp.local. _printer._tcp.local."), ("banner", 9100, "tcp", "HP LaserJet M404"), ("favicon_md5", 80, "tcp", "d41d8cd98f00b204e9800998ecf8427e"),
]:
    observe("clear", "", f"ordinary {kind}", svc(port, proto, **{kind: text}))
observe("clear", "", "ONVIF scopes of an Axis camera", svc(3702, "udp", onvif_scopes=["onvif://www.onvif.org/name/AXIS", "onvif://www.onvif.org/hardware/P3245-LVE"]))
observe("clear", "", "ONVIF scopes of a Uniview camera", svc(3702, "udp", onvif_scopes=["onvif://www.onvif.org/name/UNV", "onvif://www.onvif.org/hardware/IPC3614SB-ADF28KM-I0"]))
observe("clear", "", "UPnP of a Synology NAS", svc(1900, "udp", upnp_manufacturer="Synology", upnp_model="DS920+"))
observe("clear", "", "randomized MAC only", mac="da:a1:19:00:11:22")
observe("clear", "", "Shanghai Dahua Scale Factory MAC", svc(80, http_server="lighttpd"), mac="40:2c:76:10:00:05")


def main() -> None:
    target = Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({"asset_id": f"L{i:04d}", **{k: v for k, v in row.items() if k != "asset_id"}} | ({"asset_id": row["asset_id"]} if "asset_id" in row else {}))
    print(f"wrote {len(rows)} rows to {target}")
    obs_target = target.with_name("labelled_observations.jsonl")
    obs_target.write_text("".join(json.dumps(o) + "\n" for o in observations), encoding="utf-8")
    print(f"wrote {len(observations)} observation records to {obs_target}")


if __name__ == "__main__":
    main()
