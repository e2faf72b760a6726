/// The managed lists the registry is seeded with; staff add more with `Catalog/Add`.
public enum Catalogs {
    /// 界别 of a city committee: the parties, the people's organisations and the sectors.
    public static let sectors = [
        "中共", "民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "无党派人士",
        "共青团", "工会", "妇联", "青联", "工商联", "科协", "侨联",
        "经济界", "农业界", "教育界", "科学技术界", "医药卫生界", "文化艺术界", "体育界",
        "新闻出版界", "社会科学界", "社会福利和社会保障界", "少数民族界", "宗教界", "特邀人士",
    ]

    /// 专门委员会.
    public static let specialCommittees = [
        "提案委员会", "经济委员会", "农业和农村委员会", "人口资源环境委员会", "教科卫体委员会",
        "社会和法制委员会", "民族和宗教委员会", "港澳台侨和外事委员会", "文化文史和学习委员会",
    ]
}
