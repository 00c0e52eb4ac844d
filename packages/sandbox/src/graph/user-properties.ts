/**
 * The properties of a Graph v1.0 `user` (with those of directoryObject and entity it extends), as
 * Microsoft's own typings list them: @microsoft/microsoft-graph-types 2.43.1, `interface User`
 * (packages/sandbox/test/graph.test.ts checks this list against the installed typings). A `$select`
 * naming anything else is a 400, as Graph answers it.
 */
export const USER_PROPERTIES: ReadonlySet<string> = new Set(
  [
    "aboutMe", "accountEnabled", "activities", "ageGroup", "agreementAcceptances",
    "appRoleAssignments", "assignedLicenses", "assignedPlans", "authentication",
    "authorizationInfo", "birthday", "businessPhones", "calendar", "calendarGroups", "calendars",
    "calendarView", "chats", "city", "cloudClipboard", "companyName", "consentProvidedForMinor",
    "contactFolders", "contacts", "country", "createdDateTime", "createdObjects", "creationType",
    "customSecurityAttributes", "dataSecurityAndGovernance", "deletedDateTime", "department",
    "deviceEnrollmentLimit", "deviceManagementTroubleshootingEvents", "directReports",
    "displayName", "drive", "drives", "employeeExperience", "employeeHireDate", "employeeId",
    "employeeLeaveDateTime", "employeeOrgData", "employeeType", "events", "extensions",
    "externalUserState", "externalUserStateChangeDateTime", "faxNumber", "followedSites",
    "givenName", "hireDate", "id", "identities", "imAddresses", "inferenceClassification",
    "insights", "interests", "isManagementRestricted", "isResourceAccount", "jobTitle",
    "joinedTeams", "lastPasswordChangeDateTime", "legalAgeGroupClassification",
    "licenseAssignmentStates", "licenseDetails", "mail", "mailboxSettings", "mailFolders",
    "mailNickname", "managedAppRegistrations", "managedDevices", "manager", "memberOf", "messages",
    "mobilePhone", "mySite", "oauth2PermissionGrants", "officeLocation", "onenote",
    "onlineMeetings", "onPremisesDistinguishedName", "onPremisesDomainName",
    "onPremisesExtensionAttributes", "onPremisesImmutableId", "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors", "onPremisesSamAccountName", "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled", "onPremisesUserPrincipalName", "otherMails", "outlook", "ownedDevices",
    "ownedObjects", "passwordPolicies", "passwordProfile", "pastProjects", "people",
    "permissionGrants", "photo", "photos", "planner", "postalCode", "preferredDataLocation",
    "preferredLanguage", "preferredName", "presence", "print", "provisionedPlans", "proxyAddresses",
    "registeredDevices", "responsibilities", "schools", "scopedRoleMemberOf", "securityIdentifier",
    "serviceProvisioningErrors", "settings", "showInAddressList", "signInActivity",
    "signInSessionsValidFromDateTime", "skills", "solutions", "sponsors", "state", "streetAddress",
    "surname", "teamwork", "todo", "transitiveMemberOf", "usageLocation", "userPrincipalName",
    "userType"
  ].map((p) => p.toLowerCase()),
);
