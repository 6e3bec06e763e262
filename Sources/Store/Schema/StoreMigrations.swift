import FluentKit

/// The store's migrations, in order: one file each in this folder, numbered as they stand here (a test holds the
/// two together). Never edit one that has landed: add a new one. Their names (Fluent records each type's name)
/// must stay as they are, or a database would run them again.
public enum StoreMigrations {
    public static var all: [any Migration] {
        [
            CreateRegion(), CreateHousehold(), CreateMember(), CreateFact(), CreateEnrolment(),
            CreateUser(), CreateAuditEntry(), CreateSetting(), AddRegistryIndexes(), AddSearchIndexes(),
            AddFeedImports(), AddEnrolmentStatusChangedOn(), AddPersonLinks(), AddMonitoring(), UseWriteAheadLog(),
            AddHoldReleaseReason(), AddScreeningProgress(), AddEventBatches(), AddUnlinkedDisability(),
            AddCalendarYears(), AddCases(), AddHelpRequests(), AddCaseRecords(), AddReserveFunds(), AddEnrolmentChanges(), AddReviews(), AddDeliberations(), AddHonesty(), AddDeathIndex(), AddEmergencyPlace(), AddPayments(), AddAuditChain(), AddUserStatus(), AddRoleGrant(), AddSecondFactor(), AddMustChangePassword(), SealIdentifiers(), AddDataKeyCheck(),
        ]
    }
}
