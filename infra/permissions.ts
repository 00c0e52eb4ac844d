/**
 * What each function may do in AWS: the AWS calls its code makes, on the resources it makes them on,
 * and nothing else (docs/security.md "What each function may do in AWS").
 *
 * SST's links grant far more (sst 4.17.1, .sst/platform/src/components/aws/*.ts `getSSTLink`): a
 * linked `sst.aws.Dynamo` gives `dynamodb:*` on the table and on `table/*` (its indexes and its
 * stream), an `sst.aws.Queue` `sqs:*` on the queue (purge, delete, set its policy…), an
 * `sst.aws.Email` `ses:*` on its identity and configuration set and, besides, `ses:SendEmail`,
 * `ses:SendRawEmail` and `ses:SendTemplatedEmail` on `*` (any identity of the account), an
 * `sst.aws.Function` `lambda:InvokeFunction` on it (the jobs link the API for its URL only). So
 * every link here carries its properties alone, as SST builds them (`Resource.Table.name`,
 * `Resource.Digests.url`… read by functions/src/linked.ts, unchanged), through `sst.Linkable.wrap`,
 * SST's documented way to change what a built-in link includes; and each function states its
 * actions in `permissions` (SST adds them to the function's role, as it adds a link's). A resource
 * linked without a statement here gives its name or URL and no access: a call the code then makes
 * fails with AccessDenied rather than succeeding through a grant nobody reviewed.
 *
 * Not from here: a queue subscriber's role also gets SST's own statement for the event source mapping
 * (`sqs:ReceiveMessage`, `DeleteMessage`, `ChangeMessageVisibility`, `GetQueueAttributes`,
 * `GetQueueUrl` on the queue it consumes, queue-lambda-subscriber.ts), and every function AWS's
 * managed AWSLambdaBasicExecutionRole (its CloudWatch logs).
 */

/** What an SST component's link is: its properties and what it includes (permissions among them). */
interface Linked {
  getSSTLink(): { properties: Record<string, any>; include?: { type: string; [key: string]: any }[] };
}

const WRAPPED = Symbol.for("followthrough.propertiesOnly");

/**
 * Makes every link of `cls` carry the properties SST's own link gives and no permission. Once per
 * class: evaluating this module again (a test importing infra files anew) does not wrap the wrap.
 */
function propertiesOnly<T extends Linked>(cls: { new (...args: any[]): T; prototype: T }) {
  const builtIn = cls.prototype.getSSTLink as Linked["getSSTLink"] & { [WRAPPED]?: true };
  if (builtIn[WRAPPED]) return;
  sst.Linkable.wrap(cls, (resource) => ({ properties: builtIn.call(resource).properties }));
  Object.assign(cls.prototype.getSSTLink, { [WRAPPED]: true });
}

propertiesOnly(sst.aws.Dynamo);
propertiesOnly(sst.aws.Queue);
propertiesOnly(sst.aws.Email);
propertiesOnly(sst.aws.Function);

/** One statement of a function's `permissions` (SST's FunctionPermissionArgs: allow). */
export interface Permission {
  actions: string[];
  resources: $util.Input<$util.Input<string>[]>;
  conditions?: { test: string; variable: string; values: string[] }[];
}

/**
 * The item actions of the functions that run the Repository (core/storage repo.ts and the modules
 * that send their own commands: core/accounts, core/lease, core/connect/move, core/events/statements,
 * core/reconnect): GetItem, PutItem, UpdateItem, DeleteItem, Query (on the table: no deployed code
 * queries an index but the dispatcher) and BatchWriteItem (puts and deletes of 25). No Scan,
 * BatchGetItem, TransactWriteItems, ConditionCheckItem or PartiQL anywhere in the code; the table's
 * creation and TTL (core/storage table.ts) are the local store's, never a Lambda's.
 */
export const TABLE_ITEM_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchWriteItem"];

/** `actions` on the table itself (not its indexes or stream: `table/*` is not granted). */
export const onTable = (table: sst.aws.Dynamo, actions: string[] = TABLE_ITEM_ACTIONS): Permission => ({ actions, resources: [table.arn] });

/**
 * `actions` on the items of one partition of the table only: IAM's `dynamodb:LeadingKeys` is the
 * partition key of every item the call names (the DynamoDB developer guide, "Using IAM policy
 * conditions for fine-grained access control"), so a GetItem or PutItem of any other item is refused.
 */
export const onPartition = (table: sst.aws.Dynamo, partitionKey: string, actions: string[]): Permission => ({
  actions,
  resources: [table.arn],
  conditions: [{ test: "ForAllValues:StringEquals", variable: "dynamodb:LeadingKeys", values: [partitionKey] }],
});

/** A Query on one global secondary index of the table (its ARN is the table's, `/index/<name>`). */
export const queryIndex = (table: sst.aws.Dynamo, index: string): Permission => ({ actions: ["dynamodb:Query"], resources: [$interpolate`${table.arn}/index/${index}`] });

/**
 * Sending to a queue: SendMessageBatch, the only SQS call of the code (core/queue/sqs), is
 * authorised as `sqs:SendMessage` (SQS has no IAM action for the batch: the SQS developer guide's
 * "Amazon SQS batch actions").
 */
export const sendTo = (queue: sst.aws.Queue): Permission => ({ actions: ["sqs:SendMessage"], resources: [queue.arn] });

/**
 * SES v2 SendEmail (core/ses, the only SES call) from the Notices sender: SES authorises it on the
 * identity it sends from (the sender's: the address, or the domain for `notices@` it) and on the
 * configuration set that SST's Email attaches to that identity as its default (SES checks the set
 * too, and refuses without it: aws/aws-cdk#34402). Not `*`, not SendRawEmail or SendTemplatedEmail.
 */
export const sendEmailFrom = (email: sst.aws.Email): Permission => ({ actions: ["ses:SendEmail"], resources: [email.nodes.identity.arn, email.nodes.configurationSet.arn] });
