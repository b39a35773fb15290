//! The closed enumerations of the record model (DESIGN §2).
//!
//! Each enumeration knows its spelling in data files and policies, so the
//! loader, the checker and `tenet schema` share one list.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! model_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in data files and policies.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the spelling used in data files and policies.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// All spellings, for "expected one of" messages.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

model_enum! {
    /// A role a person holds; a person may hold several.
    Role {
        /// 教师
        Teacher => "teacher",
        /// 专任教师
        FullTimeTeacher => "full_time_teacher",
        /// 正职校长/园长
        Principal => "principal",
        /// 副校长
        VicePrincipal => "vice_principal",
        /// 班主任
        HeadTeacher => "head_teacher",
        /// 培训者团队成员
        Trainer => "trainer",
        /// 导师
        Mentor => "mentor",
        /// 心理健康教师
        PsychTeacher => "psych_teacher",
        /// 后备干部
        ReserveCadre => "reserve_cadre",
        /// 教研组长
        GroupLeader => "group_leader",
    }
}

model_enum! {
    /// The administrative level that runs an activity.
    Level {
        /// 国家级
        National => "national",
        /// 省级
        Provincial => "provincial",
        /// 市级
        Municipal => "municipal",
        /// 区县级
        District => "district",
        /// 校级
        School => "school",
    }
}

model_enum! {
    /// What sort of activity it is.
    Kind {
        /// 课程
        Course => "course",
        /// 研讨
        Seminar => "seminar",
        /// 沙龙
        Salon => "salon",
        /// 论坛
        Forum => "forum",
        /// 工作坊
        Workshop => "workshop",
        /// 读书
        Reading => "reading",
        /// 微项目
        MicroProject => "micro_project",
        /// 送教
        DeliveredLesson => "delivered_lesson",
        /// 集体备课
        CollectivePrep => "collective_prep",
        /// 简报
        Newsletter => "newsletter",
        /// 总结
        Summary => "summary",
        /// 成长档案
        Portfolio => "portfolio",
        /// 每期主题
        Theme => "theme",
    }
}

model_enum! {
    /// How an activity is delivered.
    Mode {
        /// 线上
        Online => "online",
        /// 线下
        Offline => "offline",
        /// 混合
        Blended => "blended",
    }
}

model_enum! {
    /// A person's attendance at one session.
    Status {
        /// 出勤
        Present => "present",
        /// 缺勤
        Absent => "absent",
        /// 请假 (counts as 缺课 for credit)
        Excused => "excused",
    }
}

model_enum! {
    /// A line of an organisation's finances.
    FinanceItem {
        /// 年度公用经费预算总额
        PublicFundsBudget => "public_funds_budget",
        /// 教师培训经费
        TeacherTrainingFunds => "teacher_training_funds",
        /// 校长工资总额
        PrincipalPayroll => "principal_payroll",
        /// 校长培训专项经费
        PrincipalTrainingFunds => "principal_training_funds",
        /// 教职工工资总额
        StaffPayroll => "staff_payroll",
    }
}

/// A set of [`Role`]s, stored as a bit set; written `teacher;mentor` in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RoleSet(u16);

impl RoleSet {
    /// The empty set.
    pub const EMPTY: RoleSet = RoleSet(0);

    fn bit(role: Role) -> u16 {
        1u16 << (role as u16)
    }

    /// Adds a role.
    pub fn insert(&mut self, role: Role) {
        self.0 |= Self::bit(role);
    }

    /// Whether the set holds `role`.
    pub fn contains(self, role: Role) -> bool {
        self.0 & Self::bit(role) != 0
    }

    /// The roles in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.iter().copied().filter(move |r| self.contains(*r))
    }

    /// Parses `teacher;mentor` (blank entries are ignored); on failure
    /// returns the first unknown entry.
    pub fn parse(text: &str) -> Result<RoleSet, String> {
        let mut set = RoleSet::EMPTY;
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match Role::parse(part) {
                Some(role) => set.insert(role),
                None => return Err(part.to_string()),
            }
        }
        Ok(set)
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        let mut set = RoleSet::EMPTY;
        for role in iter {
            set.insert(role);
        }
        set
    }
}

impl fmt::Display for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for role in self.iter() {
            if !first {
                f.write_str(";")?;
            }
            first = false;
            f.write_str(role.as_str())?;
        }
        Ok(())
    }
}

impl Serialize for RoleSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RoleSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        RoleSet::parse(&text).map_err(|bad| {
            serde::de::Error::custom(format!(
                "unknown role `{bad}`, expected one of {}",
                Role::names().join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_set_round_trips_through_text() {
        let set = RoleSet::parse("mentor; teacher;;").unwrap();
        assert!(set.contains(Role::Teacher));
        assert!(set.contains(Role::Mentor));
        assert!(!set.contains(Role::Trainer));
        assert_eq!(set.to_string(), "teacher;mentor");
        assert_eq!(RoleSet::parse("teacher;coach"), Err("coach".to_string()));
    }

    #[test]
    fn enum_spellings_parse_back() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(
            FinanceItem::parse("staff_payroll"),
            Some(FinanceItem::StaffPayroll)
        );
        assert_eq!(Level::parse("county"), None);
    }
}
