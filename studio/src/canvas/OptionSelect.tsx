import { getDefaultRegistry } from "@rjsf/core";
import type { WidgetProps } from "@rjsf/utils";

const DefaultSelect = getDefaultRegistry().widgets.SelectWidget;

/**
 * rjsf's select, plus a visible label when it picks which of a param's alternatives to fill
 * (an anyOf or oneOf): rjsf gives that select only a title, which names nothing for people
 * who cannot hover.
 */
export function OptionSelect(props: WidgetProps) {
  if (!/__(anyof|oneof)_select$/.test(props.name)) return <DefaultSelect {...props} />;
  return (
    <label className="params-option">
      <span>{props.label ? `${props.label}: kind` : "Kind"}</span>
      <DefaultSelect {...props} />
    </label>
  );
}
